using Mentra.Generated;

namespace MentraApp1;

/// <summary>
/// The app: MentraOS Cloud calls these methods through the webhook endpoint. The generator binds each one by its
/// attribute at compile time; the analyzers tell you at the method when a signature cannot be bound.
/// </summary>
[MentraApp]
public partial class GlassesApp(ILogger<GlassesApp> logger)
{
    /// <summary>A user started the app on their glasses: the request carries the session's WebSocket URL, already checked.</summary>
    [OnSession]
    public Task StartAsync(SessionWebhookRequest request, CancellationToken cancellationToken)
    {
        SessionStarted(logger, request.SessionId, request.UserId);
        return Task.CompletedTask;
    }

    /// <summary>The session ended; an unknown reason is kept, not an error.</summary>
    [OnStop]
    public void Stop(string sessionId, StopReason reason)
    {
        SessionStopped(logger, sessionId, reason.Value);
    }

    [LoggerMessage(1, LogLevel.Information, "Session {SessionId} started for {UserId}")]
    private static partial void SessionStarted(ILogger logger, string sessionId, string userId);

    [LoggerMessage(2, LogLevel.Information, "Session {SessionId} stopped: {Reason}")]
    private static partial void SessionStopped(ILogger logger, string sessionId, string reason);
}
