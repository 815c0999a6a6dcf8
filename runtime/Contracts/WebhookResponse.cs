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

    /// <summary>
    /// The response <c>{"status":"error","message":...}</c> for a request that is the sender's mistake, not one the app
    /// refuses: the host answers it 400 instead of <see cref="Error"/>'s 422. The dispatcher answers so a type nobody
    /// handles and JSON that does not fit its record; a handler may too, for a field it finds invalid.
    /// </summary>
    /// <param name="message">What is wrong with the request, for the sender; never put secrets or stack traces here.</param>
    public static WebhookResponse InvalidRequest(string message) => Error(message) with { IsInvalidRequest = true };

    /// <summary>
    /// Whether this error is the sender's mistake (<see cref="InvalidRequest"/>, answered 400) rather than the app's refusal
    /// (<see cref="Error"/>, answered 422). Not part of the JSON.
    /// </summary>
    public bool IsInvalidRequest { get; private init; }
}
