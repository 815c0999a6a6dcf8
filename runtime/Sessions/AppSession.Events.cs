using System;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>The session's own events: connected, the connection's changes and the end; registered at run time, each registration disposable.</summary>
public sealed partial class AppSession
{
    private Func<AppSession, CancellationToken, ValueTask>[] ConnectedHandlers = [];

    private Func<AppSession, AppSessionEnd, ValueTask>[] EndedHandlers = [];

    private Func<AppSession, AppSessionDisconnect, CancellationToken, ValueTask>[] DisconnectedHandlers = [];

    private Func<AppSession, AppSessionReconnect, CancellationToken, ValueTask>[] ReconnectingHandlers = [];

    private Func<AppSession, AppSessionReconnect, CancellationToken, ValueTask>[] ReconnectedHandlers = [];

    /// <summary>
    /// Runs <paramref name="handler"/> after each ack (the first connect and every reconnect), first thing on the session's
    /// worker, before any message that follows: the place to show the first screen.
    /// </summary>
    /// <returns>The registration: dispose it to remove the handler.</returns>
    public IDisposable OnConnected(Func<AppSession, CancellationToken, ValueTask> handler) =>
        Register(handler, static session => session.ConnectedHandlers, static (session, handlers) => session.ConnectedHandlers = handlers);

    /// <summary>
    /// Runs <paramref name="handler"/> when the session's socket drops without a final close (the SDK then connects again;
    /// the session has not ended), on the session's worker, in order with its messages.
    /// </summary>
    /// <returns>The registration: dispose it to remove the handler.</returns>
    public IDisposable OnDisconnected(Func<AppSession, AppSessionDisconnect, CancellationToken, ValueTask> handler) =>
        Register(handler, static session => session.DisconnectedHandlers, static (session, handlers) => session.DisconnectedHandlers = handlers);

    /// <summary>Runs <paramref name="handler"/> before each attempt to connect a dropped session again.</summary>
    /// <returns>The registration: dispose it to remove the handler.</returns>
    public IDisposable OnReconnecting(Func<AppSession, AppSessionReconnect, CancellationToken, ValueTask> handler) =>
        Register(handler, static session => session.ReconnectingHandlers, static (session, handlers) => session.ReconnectingHandlers = handlers);

    /// <summary>
    /// Runs <paramref name="handler"/> when a dropped session is connected again, with the attempt that succeeded: after
    /// the ack and the subscriptions, before that ack's <see cref="OnConnected"/> handlers.
    /// </summary>
    /// <returns>The registration: dispose it to remove the handler.</returns>
    public IDisposable OnReconnected(Func<AppSession, AppSessionReconnect, CancellationToken, ValueTask> handler) =>
        Register(handler, static session => session.ReconnectedHandlers, static (session, handlers) => session.ReconnectedHandlers = handlers);

    /// <summary>Runs <paramref name="handler"/> once when the session ends, however it ends.</summary>
    /// <returns>The registration: dispose it to remove the handler.</returns>
    public IDisposable OnEnded(Func<AppSession, AppSessionEnd, ValueTask> handler) =>
        Register(handler, static session => session.EndedHandlers, static (session, handlers) => session.EndedHandlers = handlers);

    /// <summary>
    /// Adds <paramref name="handler"/> to a list of the session's handlers (copied on write, read without a lock); the
    /// result removes it.
    /// </summary>
    private IDisposable Register<T>(T handler, Func<AppSession, T[]> get, Action<AppSession, T[]> set)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            set(this, [.. get(this), handler]);
        }

        return new Registration(() =>
        {
            lock (_handlersGate)
            {
                T[] handlers = get(this);
                int at = Array.IndexOf(handlers, handler);
                if (at >= 0)
                {
                    set(this, [.. handlers[..at], .. handlers[(at + 1)..]]);
                }
            }
        });
    }

    private async ValueTask RunConnectionHandlersAsync(ConnectionChange change)
    {
        if (change.Disconnect is { } disconnect)
        {
            foreach (Func<AppSession, AppSessionDisconnect, CancellationToken, ValueTask> handler in DisconnectedHandlers)
            {
                await Invoke(handler(this, disconnect, _ended.Token), "disconnected").ConfigureAwait(false);
            }
        }
        else if (change.Reconnecting is { } reconnecting)
        {
            foreach (Func<AppSession, AppSessionReconnect, CancellationToken, ValueTask> handler in ReconnectingHandlers)
            {
                await Invoke(handler(this, reconnecting, _ended.Token), "reconnecting").ConfigureAwait(false);
            }
        }
        else if (change.Reconnected is { } reconnected)
        {
            foreach (Func<AppSession, AppSessionReconnect, CancellationToken, ValueTask> handler in ReconnectedHandlers)
            {
                await Invoke(handler(this, reconnected, _ended.Token), "reconnected").ConfigureAwait(false);
            }
        }
    }
}
