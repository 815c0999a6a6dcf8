using System;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated;

/// <summary>The SDK's log events: one event id per kind of event, and never a payload's secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Received a {WebhookType} webhook")]
    public static partial void Received(ILogger logger, string webhookType);

    [LoggerMessage(2, LogLevel.Warning, "Rejected a webhook with {StatusCode}: {Reason}")]
    public static partial void Rejected(ILogger logger, int statusCode, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Rejected a {WebhookType} webhook: {Reason}. It may be forged; no handler was called")]
    public static partial void UntrustedWebSocketUrl(ILogger logger, string webhookType, string reason);

    [LoggerMessage(4, LogLevel.Error, "The handler for a {WebhookType} webhook threw; the sender was answered 500")]
    public static partial void HandlerFailed(ILogger logger, string webhookType, Exception exception);

    [LoggerMessage(5, LogLevel.Information, "The handler for a {WebhookType} webhook answered an error: {Message}")]
    public static partial void HandlerRefused(ILogger logger, string webhookType, string? message);

    [LoggerMessage(6, LogLevel.Information, "The sender of a {WebhookType} webhook went away before its handler finished")]
    public static partial void SenderGone(ILogger logger, string webhookType);

    [LoggerMessage(10, LogLevel.Warning, "AddMentraApp was called, but no MentraOS endpoint is mapped: every webhook of the cloud will be a 404. Call app.MapMentraWebhooks() after builder.Build() (it maps POST /webhook, GET /health and, with sessions, POST /photo-upload)")]
    public static partial void EndpointsNotMapped(ILogger logger);

    [LoggerMessage(11, LogLevel.Warning, "Another endpoint, '{Endpoint}', is mapped at {HealthPath}, the path of the SDK's health endpoint, which the cloud polls: one of the two will never answer. Map your own health checks at another path (they include the SDK's state as the 'mentra' check), or move the SDK's (Mentra:HealthPath) or turn it off (Mentra:EnableHealthEndpoint=false)")]
    public static partial void HealthPathTaken(ILogger logger, string healthPath, string endpoint);

    [LoggerMessage(7, LogLevel.Information, "Session started ({ActiveSessions} active)")]
    public static partial void SessionStarted(ILogger logger, int activeSessions);

    [LoggerMessage(8, LogLevel.Information, "Session started again, replacing the earlier one with its id ({ActiveSessions} active)")]
    public static partial void SessionReplaced(ILogger logger, int activeSessions);

    [LoggerMessage(9, LogLevel.Information, "Session stopped ({ActiveSessions} active)")]
    public static partial void SessionStopped(ILogger logger, int activeSessions);

    [LoggerMessage(20, LogLevel.Debug, "A {MessageType} message came before the ack and was skipped")]
    public static partial void BeforeAck(ILogger logger, string messageType);

    [LoggerMessage(21, LogLevel.Warning, "Session {SessionId}: the socket closed abnormally ({CloseStatus} {Reason}); connecting again")]
    public static partial void Reconnecting(ILogger logger, string sessionId, int closeStatus, string reason);

    [LoggerMessage(22, LogLevel.Warning, "Session {SessionId}: a reconnect attempt failed: {Reason}")]
    public static partial void ReconnectFailed(ILogger logger, string sessionId, string reason);

    [LoggerMessage(23, LogLevel.Information, "Session {SessionId}: connected again")]
    public static partial void Reconnected(ILogger logger, string sessionId);

    [LoggerMessage(24, LogLevel.Warning, "Session {SessionId}: skipped a message larger than {MaxBytes} bytes")]
    public static partial void TooLarge(ILogger logger, string sessionId, int maxBytes);

    [LoggerMessage(25, LogLevel.Warning, "Session {SessionId}: skipped a message that is not a message of the protocol: {Reason}")]
    public static partial void BadMessage(ILogger logger, string sessionId, string reason);

    [LoggerMessage(26, LogLevel.Debug, "Session {SessionId}: skipped {Bytes} bytes of audio the app did not subscribe to")]
    public static partial void UnexpectedAudio(ILogger logger, string sessionId, int bytes);

    [LoggerMessage(27, LogLevel.Debug, "Session {SessionId}: its handlers are far behind; reading waits before a {MessageType} message")]
    public static partial void HandlersBehind(ILogger logger, string sessionId, string messageType);

    [LoggerMessage(28, LogLevel.Warning, "Session {SessionId}: the cloud sent {Code}: {Message}")]
    public static partial void CloudError(ILogger logger, string sessionId, string code, string message);

    [LoggerMessage(29, LogLevel.Error, "Session {SessionId}: a handler failed; the session goes on")]
    public static partial void SessionHandlerFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(30, LogLevel.Error, "Session {SessionId}: the handler for {Stream} threw; the session goes on")]
    public static partial void StreamHandlerFailed(ILogger logger, string sessionId, string stream, Exception exception);

    [LoggerMessage(31, LogLevel.Warning, "Sending the subscriptions failed")]
    public static partial void SendFailed(ILogger logger, Exception exception);

    [LoggerMessage(32, LogLevel.Information, "Session {SessionId} connected ({ActiveSessions} active)")]
    public static partial void SessionConnected(ILogger logger, string sessionId, int activeSessions);

    [LoggerMessage(33, LogLevel.Warning, "Session {SessionId} could not connect: {Reason}")]
    public static partial void SessionConnectFailed(ILogger logger, string sessionId, string reason);

    [LoggerMessage(34, LogLevel.Information, "Session {SessionId} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string sessionId, string reason);

    [LoggerMessage(36, LogLevel.Warning, "Refused a photo upload for request {RequestId}: no session waits for it (it timed out, its session ended, or the upload is forged)")]
    public static partial void PhotoNotWaitedFor(ILogger logger, string requestId);

    [LoggerMessage(35, LogLevel.Error, "Session {SessionId}: the stop handler threw")]
    public static partial void StopHandlerFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(37, LogLevel.Warning, "Session {SessionId} ended with {Count} messages its handlers had not yet received; they were dropped")]
    public static partial void NotHandledAtEnd(ILogger logger, string sessionId, int count);

    [LoggerMessage(38, LogLevel.Debug, "Session {SessionId}: the handler for {Stream} stopped with the session's end")]
    public static partial void HandlerStoppedByEnd(ILogger logger, string sessionId, string stream);

    [LoggerMessage(41, LogLevel.Warning, "Session {SessionId}: a handler still runs {Seconds} s after the session's end cancelled its token; the end handlers run beside it")]
    public static partial void HandlerDidNotStop(ILogger logger, string sessionId, double seconds);

    [LoggerMessage(39, LogLevel.Warning, "Session {SessionId}: {Count} more warnings of this kind were not logged: {Cause} (at most 3 a minute are)")]
    public static partial void SessionWarningsSkipped(ILogger logger, string sessionId, int count, string cause);

    [LoggerMessage(40, LogLevel.Warning, "{Count} more warnings of this kind were not logged: {Cause} (at most 3 a minute are)")]
    public static partial void WarningsSkipped(ILogger logger, int count, string cause);

    [LoggerMessage(42, LogLevel.Warning, "Session {SessionId}: the cloud refused the stream {Stream}, which needs the {Permission} permission: {Message}. Its handlers get nothing until the user grants it (said once per session)")]
    public static partial void PermissionRefused(ILogger logger, string sessionId, string stream, string permission, string message);

    [LoggerMessage(43, LogLevel.Warning, "Storage of user {UserId}: {Count} writes could not be saved yet ({Reason}); they are kept and tried again")]
    public static partial void StorageKept(ILogger logger, string userId, int count, string reason);

    [LoggerMessage(44, LogLevel.Error, "Storage of user {UserId}: {Count} writes could not be saved ({Reason}); they are kept in memory, and FlushAsync throws until they are")]
    public static partial void StorageRefused(ILogger logger, string userId, int count, string reason);

    [LoggerMessage(45, LogLevel.Warning, "Refused a call to {Path} with {StatusCode}: {Reason}")]
    public static partial void CloudCallRejected(ILogger logger, string path, int statusCode, string reason);

    [LoggerMessage(46, LogLevel.Information, "The cloud pushed a user's settings; {Sessions} live sessions took them")]
    public static partial void SettingsPushed(ILogger logger, int sessions);

    [LoggerMessage(47, LogLevel.Debug, "Tool {ToolId} called")]
    public static partial void ToolCalled(ILogger logger, string toolId);

    [LoggerMessage(48, LogLevel.Error, "Tool {ToolId} threw; the cloud was answered 500")]
    public static partial void ToolFailed(ILogger logger, string toolId, Exception exception);

    [LoggerMessage(49, LogLevel.Warning, "A webview request did not authenticate: {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string reason);

    /// <summary>Logs through <paramref name="limits"/>: false when this warning of <paramref name="cause"/> is left out (counted).</summary>
    public static bool Limited(ILogger logger, HostLogLimits limits, HostWarning cause)
    {
        if (!logger.IsEnabled(LogLevel.Warning))
        {
            return false;
        }

        if (!limits.Enter(cause, out int skipped))
        {
            return false;
        }

        if (skipped > 0)
        {
            WarningsSkipped(logger, skipped, cause.ToString());
        }

        return true;
    }

    [LoggerMessage(50, LogLevel.Information, "Session {SessionId} was taken over by another replica; released and closed here")]
    public static partial void SessionTakenOver(ILogger logger, string sessionId);

    [LoggerMessage(51, LogLevel.Warning, "Session {SessionId}: this replica lost its lease; closed without release, so that the cloud brings it back on a live replica")]
    public static partial void SessionLeaseLost(ILogger logger, string sessionId);

    [LoggerMessage(52, LogLevel.Debug, "A {Kind} call was answered by the replica that holds its session, with {StatusCode}")]
    public static partial void Forwarded(ILogger logger, string kind, int statusCode);

    [LoggerMessage(53, LogLevel.Information, "A {WebhookType} webhook that another replica already handled was answered with that replica's {StatusCode}, without its handler")]
    public static partial void RetryAnswered(ILogger logger, string webhookType, int statusCode);
}
