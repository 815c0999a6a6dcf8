using Mentra.Generated;
using Mentra.Generated.Sessions;

namespace MentraApp1;

/// <summary>
/// The app. MentraOS Cloud calls [OnSession] and [OnStop] through the webhook endpoint; for each accepted session the SDK
/// connects the session's WebSocket, and the session handlers below hear the glasses and show things on them. The
/// generator binds each method by its attribute at compile time and subscribes the app to the streams they handle (here
/// transcription:en-US); the analyzers tell you at the method when a signature cannot be bound.
/// </summary>
[MentraApp]
public partial class GlassesApp(ILogger<GlassesApp> logger)
{
    /// <summary>A user started the app on their glasses: the request carries the session's WebSocket URL, already checked.</summary>
    [OnSession]
    public void Start(SessionWebhookRequest request) => SessionStarted(logger, request.SessionId, request.UserId);

    /// <summary>The session's socket is connected and acknowledged: say hello on the glasses.</summary>
    [OnConnected]
    public ValueTask Welcome(AppSession session, CancellationToken cancellationToken) =>
        session.ShowTextWallAsync("Hello from MentraApp1. Say something.", cancellationToken: cancellationToken);

    /// <summary>What the wearer says, as text: each final transcription is shown back on the glasses.</summary>
    [OnTranscription("en-US")]
    public ValueTask Caption(string text, bool isFinal, AppSession session, CancellationToken cancellationToken) =>
        isFinal ? session.ShowTextWallAsync(text, cancellationToken: cancellationToken) : ValueTask.CompletedTask;

    /// <summary>The session ended; an unknown reason is kept, not an error.</summary>
    [OnStop]
    public void Stop(string sessionId, StopReason reason) => SessionStopped(logger, sessionId, reason.Value);

    [LoggerMessage(1, LogLevel.Information, "Session {SessionId} started for {UserId}")]
    private static partial void SessionStarted(ILogger logger, string sessionId, string userId);

    [LoggerMessage(2, LogLevel.Information, "Session {SessionId} stopped: {Reason}")]
    private static partial void SessionStopped(ILogger logger, string sessionId, string reason);
}
