using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;

namespace Mentra.Generated;

/// <summary>A session the cloud has started and not yet stopped.</summary>
/// <param name="SessionId">The session's id (the user's e-mail, a hyphen, the package name).</param>
/// <param name="UserId">The user's id (their e-mail).</param>
/// <param name="WebSocketUrl">The validated WebSocket URL of the session, if the cloud sent one.</param>
/// <param name="StartedAt">When the server accepted the session.</param>
public sealed record ActiveSession(string SessionId, string UserId, string? WebSocketUrl, DateTimeOffset StartedAt);

/// <summary>
/// The sessions this server is running: a <c>session_request</c> (or <c>session_recovery</c>) that its handler
/// accepted adds one, replacing an earlier one with the same id (the cloud repeats requests); a
/// <c>stop_request</c> removes it. Inject it into handlers or services.
/// </summary>
public interface IActiveSessions
{
    /// <summary>How many sessions are active; reported by the health endpoint.</summary>
    int Count { get; }

    /// <summary>The session with this id, if it is active.</summary>
    ActiveSession? Find(string sessionId);

    /// <summary>A copy of the active sessions, ordered by id.</summary>
    IReadOnlyList<ActiveSession> Snapshot();
}

/// <summary>The thread-safe registry behind <see cref="IActiveSessions"/>.</summary>
internal sealed class ActiveSessionRegistry(TimeProvider time) : IActiveSessions
{
    private readonly ConcurrentDictionary<string, ActiveSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public ActiveSession? Find(string sessionId) => _sessions.TryGetValue(sessionId, out ActiveSession? session) ? session : null;

    public IReadOnlyList<ActiveSession> Snapshot() => [.. _sessions.Values.OrderBy(s => s.SessionId, StringComparer.Ordinal)];

    /// <summary>
    /// What a webhook changes: a <c>stop_request</c> ends its session whatever its handler did; a <c>session_request</c>
    /// or <c>session_recovery</c> starts one when its handler <paramref name="accepted"/> it.
    /// </summary>
    public SessionChange Track(WebhookRequest request, bool accepted) => request switch
    {
        StopWebhookRequest stop => Stop(stop.SessionId) ? SessionChange.Stopped : SessionChange.None,
        SessionWebhookRequest session when accepted => Started(session.SessionId, session.UserId, session.ResolvedWebSocketUrl),
        SessionRecoveryWebhookRequest recovery when accepted => Started(recovery.SessionId, recovery.UserId, recovery.ResolvedWebSocketUrl),
        _ => SessionChange.None,
    };

    private SessionChange Started(string sessionId, string userId, string? webSocketUrl) =>
        Start(sessionId, userId, webSocketUrl) ? SessionChange.Replaced : SessionChange.Started;

    /// <summary>Adds the session, or replaces the one with the same id; true when it replaced one.</summary>
    public bool Start(string sessionId, string userId, string? webSocketUrl)
    {
        // One locked write; whether it replaced a session is read before it, without a lock (it only words a log line).
        bool replaced = _sessions.ContainsKey(sessionId);
        _sessions[sessionId] = new ActiveSession(sessionId, userId, webSocketUrl, time.GetUtcNow());
        return replaced;
    }

    /// <summary>Removes the session; true when it was active.</summary>
    public bool Stop(string sessionId) => _sessions.TryRemove(sessionId, out _);
}

/// <summary>What a webhook did to the active sessions.</summary>
internal enum SessionChange
{
    None,
    Started,
    Replaced,
    Stopped,
}
