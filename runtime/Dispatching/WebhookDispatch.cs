using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Mentra.Generated;

/// <summary>
/// Helpers the generated dispatchers call to turn what a handler returns into a response. Not meant to be
/// called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WebhookDispatch
{
    private static readonly ValueTask<WebhookResponse> CompletedSuccess = new(WebhookResponse.Success);

    /// <summary>The answer of a handler that returns nothing: success.</summary>
    public static ValueTask<WebhookResponse> Success
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => CompletedSuccess;
    }

    /// <summary>Success once <paramref name="task"/> completes; its exception, if it fails.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<WebhookResponse> After(Task task) =>
        task.IsCompletedSuccessfully ? CompletedSuccess : AwaitThenSucceed(task);

    /// <summary>Success once <paramref name="task"/> completes; its exception, if it fails.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<WebhookResponse> After(ValueTask task) =>
        task.IsCompletedSuccessfully ? CompletedSuccess : AwaitThenSucceed(task.AsTask());

    /// <summary>The handler's own response; null counts as success.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<WebhookResponse> From(WebhookResponse? response) => new(response ?? WebhookResponse.Success);

    /// <summary>The handler's own response once it is ready; null counts as success.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<WebhookResponse> From(Task<WebhookResponse> task) =>
        task.IsCompletedSuccessfully ? From(task.Result) : AwaitResponse(task);

    /// <summary>The handler's own response once it is ready; null counts as success.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<WebhookResponse> From(ValueTask<WebhookResponse> task) =>
        task.IsCompletedSuccessfully ? From(task.Result) : AwaitResponse(task.AsTask());

    /// <summary>The answer for a known type the app has no handler for.</summary>
    public static ValueTask<WebhookResponse> Unhandled(WebhookRequest request) =>
        new(WebhookResponse.Error("This app has no handler for " + request.Type.Value));

    /// <summary>The answer for a type the schema does not know, when the app has no fallback handler.</summary>
    public static ValueTask<WebhookResponse> Unknown(WebhookRequest request) =>
        new(WebhookResponse.Error("Unknown webhook type: " + request.Type.Value));

    private static async ValueTask<WebhookResponse> AwaitThenSucceed(Task task)
    {
        await task.ConfigureAwait(false);
        return WebhookResponse.Success;
    }

    private static async ValueTask<WebhookResponse> AwaitResponse(Task<WebhookResponse> task) =>
        await task.ConfigureAwait(false) ?? WebhookResponse.Success;
}
