using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Sessions;

/// <summary>The handshake: open the socket, send the init, wait for the ack, and what follows every ack.</summary>
public sealed partial class AppSession
{
    private SessionSocket? _socket;
    private Func<AppSession, AppSessionEnd, bool, Task>? _onEnded;
    private ConnectionError? _lastError;

    /// <summary>
    /// Opens the socket, sends <c>tpa_connection_init</c> and waits for the ack (at most the ack timeout); then sends the
    /// subscriptions, queues the connected handlers and starts the receive loop, in that order, so that the cloud hears
    /// the subscriptions before anything a connected handler sends. Throws <see cref="AppSessionConnectException"/> when
    /// the cloud refuses the session, does not ack in time, or the session is ended first (a stop webhook while the ack
    /// is awaited); no socket is left open then, and the caller ends the session.
    /// </summary>
    internal async Task ConnectAsync(Func<AppSession, AppSessionEnd, bool, Task> onEnded)
    {
        _onEnded = onEnded;
        SessionSocket socket;
        try
        {
            socket = await OpenAsync(_ended.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested)
        {
            throw new AppSessionConnectException(StoppedBeforeAck);
        }

        Volatile.Write(ref _socket, socket);
        if (!TryTransition(AppSessionState.Connecting, AppSessionState.Connected))
        {
            // Ended while the ack was on its way: the end may not have seen this socket, so it is closed here.
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, End?.Reason ?? StoppedBeforeAck).ConfigureAwait(false);
            socket.Dispose();
            throw new AppSessionConnectException(StoppedBeforeAck);
        }

        await AfterAckAsync().ConfigureAwait(false);
        StartKeepAlive();
        // The receive loop ends by itself with the session. It starts without this webhook request's execution context:
        // the request's Activity and logging scope would otherwise stay with the session (and in memory) for its life.
        ThreadPool.UnsafeQueueUserWorkItem(static session => _ = session.RunAsync(), this, preferLocal: false);
    }

    private Timer? _keepAlive;

    /// <summary>
    /// The application keepalive, when the options ask for it: a <c>ping</c> every interval while the session is connected
    /// (skipped while it reconnects); a send that fails is left to the receive loop, which sees the broken socket.
    /// </summary>
    private void StartKeepAlive()
    {
        if (_options.KeepAliveInterval is not { } interval || interval <= TimeSpan.Zero)
        {
            return;
        }

        using (ExecutionContext.SuppressFlow())
        {
            _keepAlive = new Timer(static state => ((AppSession)state!).SendKeepAlive(), this, interval, interval);
        }

        if (End is not null)
        {
            _keepAlive.Dispose();
        }
    }

    private static readonly Ping KeepAlivePing = new();

    private void SendKeepAlive()
    {
        if (State == AppSessionState.Connected && End is null && Volatile.Read(ref _socket) is { State: WebSocketState.Open } socket)
        {
            _ = SendOnAsync(socket, KeepAlivePing, CancellationToken.None).AsTask().ContinueWith(
                static task => _ = task.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private const string StoppedBeforeAck = "The session was stopped before the cloud acknowledged it.";

    /// <summary>
    /// What follows every ack, first connect or reconnect: senders waiting for the socket go on, the subscriptions are sent,
    /// then the reconnected handlers (after a reconnect, <paramref name="reconnected"/>) and the connected handlers are
    /// queued, ahead of any message the receive loop reads after this.
    /// </summary>
    private async Task AfterAckAsync(AppSessionReconnect? reconnected = null)
    {
        Interlocked.Exchange(ref _connected, null)?.TrySetResult();
        try
        {
            await SendSubscriptionsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or SocketException or ObjectDisposedException or AppSessionEndedException)
        {
            // The socket broke right after the ack, or the session ended: the receive loop sees a broken socket and
            // reconnects (the subscriptions follow that ack); an ended session has nothing more to send.
            Log.SendFailed(_logger, e);
        }

        if (reconnected is not null)
        {
            Enqueue(new SessionWork(null, null, false, Change: new ConnectionChange(null, null, reconnected)));
        }

        Enqueue(new SessionWork(null, null, Connected: true));
    }

    /// <summary>
    /// One socket, from open to ack. The init is the same on every attempt: the same session id and key. The timeout (and
    /// the end of the session) closes the socket rather than being handed to the socket's reads, which would keep it.
    /// </summary>
    private async Task<SessionSocket> OpenAsync(CancellationToken cancellationToken, TimeSpan? limit = null)
    {
        // cancellationToken is the session's end: a stop while the ack is awaited closes the socket at once.
        TimeSpan wait = limit is { } l && l < _options.AckTimeout ? l : _options.AckTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        SessionSocket socket;
        try
        {
            socket = await _options.Connect(WebSocketUrl, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_ended.IsCancellationRequested)
        {
            throw new AppSessionConnectException($"The WebSocket did not open within {wait.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is WebSocketException or IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            throw new AppSessionConnectException("The WebSocket could not be opened: " + e.Message, inner: e);
        }

        CancellationTokenRegistration abort = timeout.Token.UnsafeRegister(static s => ((SessionSocket)s!).Abort(), socket);
        try
        {
            await SendOnAsync(socket, new ConnectionInit { SessionId = SessionId, PackageName = PackageName, ApiKey = _options.ApiKey, Timestamp = Now() }, CancellationToken.None).ConfigureAwait(false);
            while (true)
            {
                if (!socket.TryReceive(_options.MaxMessageBytes, out SocketMessage received))
                {
                    await socket.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    continue;
                }

                switch (received.Kind)
                {
                    case SocketMessageKind.Close:
                        throw new AppSessionConnectException($"The cloud closed the socket ({socket.CloseStatus} {socket.CloseStatusDescription}) before acknowledging the session.");
                    case SocketMessageKind.Ping:
                        await socket.SendPongAsync(received.Memory, CancellationToken.None).ConfigureAwait(false);
                        continue;
                }

                CloudMessage? message = null;
                string? streamType = null;
                if (received.Kind == SocketMessageKind.Text && !received.TooLarge)
                {
                    TryParse(received.Span, out message, out streamType, out _);
                }

                switch (message)
                {
                    case ConnectionAck ack:
                        Apply(ack);
                        await abort.DisposeAsync().ConfigureAwait(false);
                        if (timeout.IsCancellationRequested)
                        {
                            throw new OperationCanceledException(timeout.Token); // too late: the socket is closed
                        }

                        return socket;
                    case ConnectionError or LegacyConnectionError:
                        // A refusal is final: the cloud closes with 1008 next, and the same init would be refused again.
                        ConnectionError error = AsError(message);
                        await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, "Refused").ConfigureAwait(false);
                        throw new AppSessionConnectException($"The cloud refused the session: {error.Code} ({error.Message}).", error);
                    default:
                        Log.BeforeAck(_logger, message?.Type ?? (streamType is null ? "(binary or unreadable)" : "data_stream"));
                        break;
                }
            }
        }
        catch (Exception e) when (timeout.IsCancellationRequested && e is OperationCanceledException or WebSocketException or IOException or SocketException or ObjectDisposedException)
        {
            await abort.DisposeAsync().ConfigureAwait(false);
            socket.Abort();
            if (cancellationToken.IsCancellationRequested || _ended.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken.IsCancellationRequested ? cancellationToken : _ended.Token);
            }

            throw new AppSessionConnectException($"The cloud did not acknowledge the session within {wait.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is WebSocketException or IOException or SocketException)
        {
            await abort.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            throw new AppSessionConnectException("The socket failed before the ack: " + e.Message, inner: e);
        }
        catch
        {
            await abort.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            throw;
        }
    }

    private void Apply(ConnectionAck ack)
    {
        Settings = ack.Settings is { } settings ? _options.Shared.Share(settings) : Settings;
        SystemSettings = (ack.MentraosSettings ?? ack.AugmentosSettings) is { } system ? _options.Shared.Share(system) : SystemSettings;
        Capabilities = _options.Shared.Share(ack.Capabilities);
    }

    private static ConnectionError AsError(CloudMessage message) => message switch
    {
        ConnectionError error => error,
        LegacyConnectionError legacy => new ConnectionError { Code = legacy.Code, Message = legacy.Message, Timestamp = legacy.Timestamp },
        _ => throw new ArgumentException("Not an error message.", nameof(message)),
    };
}
