using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
        new(WebhookResponse.InvalidRequest("Unknown webhook type: " + request.Type.Value));

    /// <summary>
    /// Reads a webhook of a type the app's own schema declares (it arrives as an <see cref="UnknownWebhookRequest"/>,
    /// since the SDK's schema does not know it) as that schema's record. When the JSON does not fit the record,
    /// <paramref name="invalid"/> is the error response that names the problem, and nothing is called.
    /// </summary>
    public static bool TryRead<T>(UnknownWebhookRequest request, JsonTypeInfo<T> typeInfo, [NotNullWhen(true)] out T? typed, out ValueTask<WebhookResponse> invalid)
        where T : class
    {
        try
        {
            typed = request.Json.Deserialize(typeInfo);
        }
        catch (JsonException exception)
        {
            typed = null;
            invalid = new(WebhookResponse.InvalidRequest("Invalid " + request.Type.Value + " webhook: " + exception.Message));
            return false;
        }

        if (typed is null)
        {
            invalid = new(WebhookResponse.InvalidRequest("Invalid " + request.Type.Value + " webhook: the request is null."));
            return false;
        }

        invalid = default;
        return true;
    }


    private static async ValueTask<WebhookResponse> AwaitThenSucceed(Task task)
    {
        await task.ConfigureAwait(false);
        return WebhookResponse.Success;
    }

    private static async ValueTask<WebhookResponse> AwaitResponse(Task<WebhookResponse> task) =>
        await task.ConfigureAwait(false) ?? WebhookResponse.Success;
}
