namespace Mentra.Generated;

// The record itself is generated from the schema; these are conveniences for handlers.
public sealed partial record WebhookResponse
{
    /// <summary>The response <c>{"status":"success"}</c>.</summary>
    public static WebhookResponse Success { get; } = new() { Status = WebhookResponseStatus.Success };

    /// <summary>Whether <see cref="Status"/> is <c>success</c>.</summary>
    public bool IsSuccess => Status == WebhookResponseStatus.Success;

    /// <summary>The response <c>{"status":"error","message":...}</c>.</summary>
    /// <param name="message">What went wrong, for the sender; never put secrets or stack traces here.</param>
    public static WebhookResponse Error(string message) => new() { Status = WebhookResponseStatus.Error, Message = message };
}
