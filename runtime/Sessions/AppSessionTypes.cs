using System;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Sessions;

/// <summary>Where an app session is in its life.</summary>
public enum AppSessionState
{
    /// <summary>The socket is opening, or the init is sent and the ack not yet received.</summary>
    Connecting,

    /// <summary>The cloud acknowledged the session; messages flow.</summary>
    Connected,

    /// <summary>The socket closed abnormally; the SDK is connecting again with the same init and subscriptions.</summary>
    Reconnecting,

    /// <summary>The session is over; sending throws <see cref="AppSessionEndedException"/>.</summary>
    Ended,
}

/// <summary>How and why a session ended.</summary>
/// <param name="Reason">
/// Why, in words: the stop webhook's reason, the close reason the cloud sent (for example <c>App stopped</c> or
/// <c>User session ended</c>), <c>Connection lost</c>, or <c>Host stopping</c>.
/// </param>
/// <param name="CloseStatus">The WebSocket close code, when the socket closed with one.</param>
/// <param name="Error">The <c>tpa_connection_error</c> the cloud sent before closing, if any.</param>
public sealed record AppSessionEnd(string Reason, int? CloseStatus = null, ConnectionError? Error = null);

/// <summary>The session's socket dropped without a final close; the SDK connects again, and the session goes on.</summary>
/// <param name="CloseStatus">The WebSocket close code the cloud sent (1011, for example); null when the socket just broke (1006).</param>
/// <param name="Reason">The close reason the cloud sent, or <c>Connection lost</c> when there was none.</param>
public sealed record AppSessionDisconnect(int? CloseStatus, string Reason);

/// <summary>An attempt to connect a dropped session again.</summary>
/// <param name="Attempt">The attempt's number, from 1.</param>
/// <param name="Delay">The wait before the attempt.</param>
/// <param name="LastFailure">Why the attempt before it failed; null for the first attempt.</param>
public sealed record AppSessionReconnect(int Attempt, TimeSpan Delay, string? LastFailure);

/// <summary>Thrown when an app sends on a session that has ended: nothing is ever dropped silently.</summary>
public sealed class AppSessionEndedException : InvalidOperationException
{
    /// <summary>Creates the exception for the session <paramref name="sessionId"/>.</summary>
    public AppSessionEndedException(string sessionId, AppSessionEnd end)
        : base($"The session '{sessionId}' has ended ({end.Reason}); nothing more can be sent on it.")
    {
        SessionId = sessionId;
        End = end;
    }

    /// <summary>The session's id.</summary>
    public string SessionId { get; }

    /// <summary>How the session ended.</summary>
    public AppSessionEnd End { get; }
}

/// <summary>The cloud refused the session's connection: a <c>tpa_connection_error</c> with its code, or no ack in time.</summary>
public sealed class AppSessionConnectException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AppSessionConnectException(string message, ConnectionError? error = null, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
    }

    /// <summary>The cloud's <c>tpa_connection_error</c>, with its code and message, when it sent one.</summary>
    public ConnectionError? Error { get; }
}
