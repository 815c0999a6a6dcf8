using System;
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

/// <summary>
/// The thread-safe registry behind <see cref="IActiveSessions"/>, written only by the session manager. A session with a live socket stays until it ends. One
/// known only from a webhook (the app does not connect sessions) has nothing that proves it is still there, and webhooks
/// carry no credential, so forged ones must not pile up: at most <see cref="MentraOptions.MaxTrackedSessions"/> of them
/// are held, the oldest dropped first, each for at most <see cref="MentraOptions.TrackedSessionLifetime"/>.
/// </summary>
internal sealed class ActiveSessionRegistry(TimeProvider time, Microsoft.Extensions.Options.IOptions<MentraOptions> options) : IActiveSessions
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly LinkedList<ActiveSession> _withoutSocket = new(); // oldest first
    private readonly int _maxWithoutSocket = options.Value.MaxTrackedSessions;
    private readonly TimeSpan _lifetime = options.Value.TrackedSessionLifetime;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                Expire();
                return _sessions.Count;
            }
        }
    }

    public ActiveSession? Find(string sessionId)
    {
        lock (_gate)
        {
            Expire();
            return _sessions.TryGetValue(sessionId, out Entry entry) ? entry.Session : null;
        }
    }

    public IReadOnlyList<ActiveSession> Snapshot()
    {
        lock (_gate)
        {
            Expire();
            return [.. _sessions.Values.Select(e => e.Session).OrderBy(s => s.SessionId, StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Adds a session, or replaces the one with the same id; true when it replaced one. <paramref name="withSocket"/>: the
    /// cloud has acked its socket, so it stays until it ends; without one it is held within the limits above.
    /// </summary>
    public bool Add(string sessionId, string userId, string? webSocketUrl, bool withSocket)
    {
        var session = new ActiveSession(sessionId, userId, webSocketUrl, time.GetUtcNow());
        lock (_gate)
        {
            bool replaced = _sessions.Remove(sessionId, out Entry old);
            if (old.Node is not null)
            {
                _withoutSocket.Remove(old.Node);
            }

            LinkedListNode<ActiveSession>? node = withSocket ? null : _withoutSocket.AddLast(session);
            _sessions[sessionId] = new Entry(session, node);
            while (_withoutSocket.Count > _maxWithoutSocket)
            {
                _sessions.Remove(_withoutSocket.First!.Value.SessionId);
                _withoutSocket.RemoveFirst();
            }

            return replaced;
        }
    }

    /// <summary>Removes the session; true when it was active.</summary>
    public bool Stop(string sessionId)
    {
        lock (_gate)
        {
            if (!_sessions.Remove(sessionId, out Entry entry))
            {
                return false;
            }

            if (entry.Node is not null)
            {
                _withoutSocket.Remove(entry.Node);
            }

            return true;
        }
    }

    /// <summary>Drops the sessions without a socket that are older than their lifetime. Under the gate.</summary>
    private void Expire()
    {
        DateTimeOffset oldest = time.GetUtcNow() - _lifetime;
        while (_withoutSocket.First is { } first && first.Value.StartedAt < oldest)
        {
            _sessions.Remove(first.Value.SessionId);
            _withoutSocket.RemoveFirst();
        }
    }

    /// <summary>A session, and its place among those without a socket (null for one with a socket).</summary>
    private readonly record struct Entry(ActiveSession Session, LinkedListNode<ActiveSession>? Node);
}
