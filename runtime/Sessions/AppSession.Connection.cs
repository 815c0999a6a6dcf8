using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;
using Mentra.Generated.Protocol.Serialization;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated.Sessions;

/// <summary>The socket: connect and ack, the receive loop, reconnects, and the end of the session.</summary>
public sealed partial class AppSession
{
    private SessionSocket? _socket;
    private Func<AppSession, AppSessionEnd, bool, Task>? _onEnded;
    private ConnectionError? _lastError;

    // The handlers' queue, made when first needed and dropped when empty; guarded by _handlersGate.
    private Queue<SessionWork>? _queue;
    private TaskCompletionSource? _room;
    private bool _workerRunning;
    private bool _queueClosed;

    /// <summary>Items queued for the worker or run by it and not finished; the receive loop runs handlers itself only at zero.</summary>
    private int _pendingWork;

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
        // The receive loop ends by itself with the session. It starts without this webhook request's execution context:
        // the request's Activity and logging scope would otherwise stay with the session (and in memory) for its life.
        ThreadPool.UnsafeQueueUserWorkItem(static session => _ = session.RunAsync(), this, preferLocal: false);
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

    /// <summary>Ends the session from this side: the stop webhook, a takeover, an explicit stop or the host's shutdown.</summary>
    internal Task StopAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release) =>
        EndAsync(end, runStopHandler, release);

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

    /// <summary>
    /// Receives until the socket closes, then either ends the session (a normal or policy close: 1000, 1001, 1008, or a
    /// reason that says the app stopped or the user session ended) or connects again after each delay in turn. The
    /// receive loop is written out here, in one method, so that an idle session waits in a single state machine.
    /// </summary>
    private async Task RunAsync()
    {
        AppSessionEnd end;
        while (true)
        {
            SessionSocket socket = _socket!;
            int? status = null;
            string? description = null;
            try
            {
                while (true)
                {
                    if (!socket.TryReceive(_options.MaxMessageBytes, out SocketMessage received))
                    {
                        // Idle: a zero-byte wait, with no buffer and no cancellation registration; ending disposes the socket.
                        await socket.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                        continue;
                    }

                    if (received.Kind == SocketMessageKind.Close)
                    {
                        (status, description) = (socket.CloseStatus, socket.CloseStatusDescription);
                        break;
                    }

                    if (received.Kind == SocketMessageKind.Ping)
                    {
                        await socket.SendPongAsync(received.Memory, CancellationToken.None).ConfigureAwait(false);
                        continue;
                    }

                    if (_ended.IsCancellationRequested)
                    {
                        break; // frames still in the buffer after the end reach no handler
                    }

                    if (Work(received) is { } work)
                    {
                        ValueTask dispatch = DispatchAsync(work, socket);
                        if (!dispatch.IsCompletedSuccessfully)
                        {
                            await dispatch.ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or SocketException or ObjectDisposedException)
            {
                // No close frame: abnormal, as 1006 (or the session was ended from this side, which disposed the socket).
            }

            if (_ended.IsCancellationRequested)
            {
                return; // ended from this side; EndAsync does the rest
            }

            if (IsTerminal(status, description))
            {
                end = new AppSessionEnd(description is { Length: > 0 } ? description : "Closed by the cloud", status, _lastError);
                break;
            }

            if (!TryTransition(AppSessionState.Connected, AppSessionState.Reconnecting))
            {
                return; // ended from this side meanwhile
            }

            Log.Reconnecting(_logger, SessionId, status ?? 1006, description ?? string.Empty);
            Enqueue(new SessionWork(null, null, false, Change: new ConnectionChange(new AppSessionDisconnect(status, description is { Length: > 0 } ? description : "Connection lost"), null, null)));
            int attempt = 0;
            AppSessionReconnect? reconnect = null;
            SessionSocket? next = null;
            AppSessionConnectException? last = null;
            long dropped = System.Diagnostics.Stopwatch.GetTimestamp();
            while (_options.Reconnect.NextDelay(new ReconnectContext(attempt, System.Diagnostics.Stopwatch.GetElapsedTime(dropped), last?.Message)) is { } delay)
            {
                // Every attempt, its wait for the ack included, ends within the cloud's grace period: past it, the cloud
                // brings the session back with new webhooks, and a socket of this session would only be refused.
                if (delay < TimeSpan.Zero || _options.ReconnectGrace - System.Diagnostics.Stopwatch.GetElapsedTime(dropped) - delay <= TimeSpan.Zero)
                {
                    break;
                }

                reconnect = new AppSessionReconnect(++attempt, delay, last?.Message);
                Enqueue(new SessionWork(null, null, false, Change: new ConnectionChange(null, reconnect, null)));
                try
                {
                    await Task.Delay(delay, _ended.Token).ConfigureAwait(false);
                    TimeSpan left = _options.ReconnectGrace - System.Diagnostics.Stopwatch.GetElapsedTime(dropped);
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    next = await OpenAsync(_ended.Token, left).ConfigureAwait(false);
                    break;
                }
                catch (OperationCanceledException) when (_ended.IsCancellationRequested)
                {
                    return;
                }
                catch (AppSessionConnectException e)
                {
                    last = e;
                    if (Warn(SessionWarning.ReconnectFailed))
                    {
                        Log.ReconnectFailed(_logger, SessionId, e.Message);
                    }

                    if (e.Error is not null)
                    {
                        break;
                    }
                }
            }

            _options.Metrics?.SessionReconnect(next is null ? "lost" : "reconnected");
            if (next is null)
            {
                end = new AppSessionEnd(last?.Error is null ? "Connection lost" : "The cloud refused the reconnect", status, last?.Error);
                break;
            }

            SessionSocket old = Interlocked.Exchange(ref _socket, next)!;
            await AnswerCloseAsync(old).ConfigureAwait(false);
            old.Dispose();
            if (!TryTransition(AppSessionState.Reconnecting, AppSessionState.Connected))
            {
                // Ended while the reconnect's ack was on its way: the end may have closed only the old socket.
                await CloseQuietlyAsync(next, WebSocketCloseStatus.NormalClosure, End?.Reason ?? string.Empty).ConfigureAwait(false);
                next.Dispose();
                return;
            }

            Log.Reconnected(_logger, SessionId);
            await AfterAckAsync(reconnect).ConfigureAwait(false);
        }

        await EndAsync(end, runStopHandler: true, release: null).ConfigureAwait(false);
    }

    /// <summary>Terminal closes, as the protocol document lists them; anything else (1006, 1011, network errors) reconnects.</summary>
    internal static bool IsTerminal(int? status, string? description) =>
        status is 1000 or 1001 or 1008
        || (description is not null && (description.Contains("App stopped", StringComparison.OrdinalIgnoreCase) || description.Contains("User session ended", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The work for the handlers in one received message, or null for one that is skipped, logged or answered here.</summary>
    private SessionWork? Work(in SocketMessage received)
    {
        if (received.TooLarge)
        {
            if (Warn(SessionWarning.TooLarge))
            {
                Log.TooLarge(_logger, SessionId, _options.MaxMessageBytes);
            }

            _options.Metrics?.SessionMessageSkipped("too_large");
            return null;
        }

        if (received.Kind == SocketMessageKind.Binary)
        {
            return Audio(received);
        }

        if (!TryParse(received.Span, out CloudMessage? message, out string? streamType, out StreamData? data))
        {
            return null;
        }

        return message is null ? Stream(streamType!, data!) : Receive(message);
    }

    /// <summary>
    /// The message in a text frame; a frame that is not a message of this protocol is logged and skipped (false). See
    /// <see cref="ReadFrame"/>.
    /// </summary>
    private bool TryParse(ReadOnlySpan<byte> json, out CloudMessage? message, out string? streamType, out StreamData? data)
    {
        try
        {
            message = ReadFrame(json, out streamType, out data);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            if (Warn(SessionWarning.Malformed))
            {
                Log.BadMessage(_logger, SessionId, e.Message);
            }

            _options.Metrics?.SessionMessageSkipped("malformed");
            (message, streamType, data) = (null, null, null);
            return false;
        }
    }

    /// <summary>
    /// Reads a text frame: the message, or for a <c>data_stream</c> null and only its stream type and data. The envelope is
    /// not made, as no handler sees it (<c>DataStreamJsonConverter.ReadTaggedOnly</c> checks it as the full read does).
    /// Throws <see cref="JsonException"/> for a frame that is not a message of this protocol.
    /// </summary>
    internal static CloudMessage? ReadFrame(ReadOnlySpan<byte> json, out string? streamType, out StreamData? data)
    {
        (streamType, data) = (null, null);
        var reader = new Utf8JsonReader(json);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            Utf8JsonReader start = reader;
            CloudMessage? message = null;
            if (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8)
                && reader.Read() && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("data_stream"u8))
            {
                // The cloud writes type first; a data_stream that does not is read whole, with the same result for the handlers.
                data = DataStreamJsonConverter.ReadTaggedOnly(ref reader, discriminatorRead: true, out string tag);
                streamType = tag;
            }
            else
            {
                reader = start;
                message = CloudMessageJsonConverter.ReadObject(ref reader);
            }

            if (!reader.Read())
            {
                return message;
            }
        }

        // Anything else (not an object, trailing text) gets JsonSerializer's own message.
        (streamType, data) = (null, null);
        return JsonSerializer.Deserialize(json, AppSessionJsonContext.Default.CloudMessage) ?? throw new JsonException("The message is null.");
    }

    /// <summary>The work for a stream's data, or null for a location that answers a poll (its request is completed here).</summary>
    private SessionWork? Stream(string streamType, StreamData data) =>
        data is LocationUpdate { CorrelationId: { } id } && Complete(id, data) ? null : new SessionWork(null, null, false, StreamType: streamType, Data: data);

    /// <summary>
    /// An audio chunk for the handlers, still in the socket's buffer (<see cref="DispatchAsync"/> copies it only if the
    /// handlers cannot run at once), or null when the app did not subscribe.
    /// </summary>
    private SessionWork? Audio(in SocketMessage received)
    {
        if (!_routes.WantsAudio)
        {
            Log.UnexpectedAudio(_logger, SessionId, received.Length);
            _options.Metrics?.SessionMessageSkipped("unexpected_audio");
            return null;
        }

        return new SessionWork(null, new AudioChunk(received.Memory, Pooled: null), false);
    }

    /// <summary>
    /// Applies what a message says about the session at once, on the receive loop (so that a handler awaiting a response
    /// is answered even while it runs); returns the work for the handlers, or null for a response a request awaited.
    /// </summary>
    private SessionWork? Receive(CloudMessage message)
    {
        switch (message)
        {
            case DeviceStateUpdate update:
                DeviceState = update.FullSnapshot == true ? update.State : DeviceState.MergedWith(update.State);
                break;
            case SettingsUpdate update:
                Settings = _options.Shared.Share(update.Settings);
                break;
            case SystemSettingsUpdate update:
                SystemSettings = _options.Shared.Share(update.Settings);
                break;
            case CapabilitiesUpdate update:
                Capabilities = _options.Shared.Share(update.Capabilities);
                break;
            case DashboardModeChanged changed:
                DashboardMode = changed.Mode;
                break;
            case ConnectionError or LegacyConnectionError:
                // The legacy spelling reaches the handlers as the current one, so that [OnConnectionError] sees both.
                _lastError = AsError(message);
                message = _lastError;
                if (Warn(SessionWarning.CloudError))
                {
                    Log.CloudError(_logger, SessionId, _lastError.Code?.Value ?? "(none)", _lastError.Message ?? string.Empty);
                }

                break;
            case AudioPlayResponse response when Complete(response.RequestId, response):
                return null;
            case DataStream stream:
                return Stream(stream.StreamType, stream.Data);
            case PhotoResponse { Success: false, RequestId: { } id } response when Fail(id, new PhotoException(id, response.Error?.Code, response.Error?.Message)):
                // Some clouds report a failed photo over the socket: fail at once rather than wait for an upload that will not come.
                return null;
        }

        return new SessionWork(message, null, false);
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

    /// <summary>
    /// The handlers' worker: what the receive loop could not run itself, one item at a time, in order (a handler that did
    /// not finish at once, and the messages that came while it ran). It ends when the queue is empty, so that an idle
    /// session holds no waiting task and no queue; the next queued item starts it again.
    /// </summary>
    private async Task RunWorkerAsync()
    {
        OnWorker.Value = this; // an end that a handler of this worker starts does not wait for the worker
        while (true)
        {
            SessionWork work;
            SessionWork[]? left = null;
            lock (_handlersGate)
            {
                if (_queue is not { Count: > 0 } queue)
                {
                    _queue = null;
                    StopWorker();
                    return;
                }

                if (_queueClosed || _ended.IsCancellationRequested)
                {
                    // The session has ended (its token is cancelled before the queue closes, and a handler it stopped
                    // resumes this worker in between): what is still queued would run with a cancelled token on a session that
                    // can send nothing. It is dropped, and said once, with its count.
                    left = queue.ToArray();
                    _queue = null;
                }

                work = left is null ? queue.Dequeue() : default;
                if (_room is { } room && queue.Count <= _options.QueueLength / 2)
                {
                    _room = null;
                    room.TrySetResult();
                }
            }

            if (left is not null)
            {
                await DropAsync(left).ConfigureAwait(false);
                lock (_handlersGate)
                {
                    StopWorker();
                }

                return;
            }

            await RunOneAsync(work).ConfigureAwait(false);
        }
    }

    /// <summary>The worker has stopped: the end, if it waits, goes on. Under the handlers' gate.</summary>
    private void StopWorker()
    {
        _workerRunning = false;
        _workerStopped?.TrySetResult();
        _workerStopped = null;
    }

    /// <summary>Completes when the running worker stops; made only when the end waits for it.</summary>
    private TaskCompletionSource? _workerStopped;

    /// <summary>The session whose worker runs the current handler, if any.</summary>
    private static readonly AsyncLocal<AppSession?> OnWorker = new();

    /// <summary>How long the end waits for a running handler to stop, after cancelling its token.</summary>
    private static readonly TimeSpan HandlersStopTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// At the end, after the token is cancelled and the queue closed: waits (at most <see cref="HandlersStopTimeout"/>) for
    /// the running handler to return and the queue's rest to be dropped, so that the end handlers (the app's dispose among
    /// them) never run beside a message handler. Not when the end is started by a handler of this worker.
    /// </summary>
    private async Task WaitForWorkerAsync()
    {
        Task? stopped;
        lock (_handlersGate)
        {
            stopped = _workerRunning && !ReferenceEquals(OnWorker.Value, this)
                ? (_workerStopped ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
                : null;
        }

        if (stopped is not null)
        {
            try
            {
                await stopped.WaitAsync(HandlersStopTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Log.HandlerDidNotStop(_logger, SessionId, HandlersStopTimeout.TotalSeconds);
            }
        }
    }

    /// <summary>
    /// The work still queued when the session ended: handlers already started are awaited (their buffers are returned
    /// after them); the rest is not run, and one line says how much.
    /// </summary>
    private async Task DropAsync(SessionWork[] left)
    {
        int dropped = 0;
        foreach (SessionWork work in left)
        {
            if (work.Pending is not null)
            {
                await RunOneAsync(work).ConfigureAwait(false);
                continue;
            }

            dropped++;
            Return(work.Audio?.Pooled);
            Interlocked.Decrement(ref _pendingWork);
            _options.Metrics?.SessionMessageSkipped("ended");
        }

        if (dropped > 0)
        {
            Log.NotHandledAtEnd(_logger, SessionId, dropped);
        }
    }

    /// <summary>
    /// Whether to log a warning of <paramref name="cause"/> now: at most a few a minute each (a fuzzing or broken cloud
    /// would fill the log), the rest counted and said in one line with the next one logged, or at the session's end.
    /// Called from the receive loop only, which also reconnects, so the limits need no lock; made at the first warning.
    /// </summary>
    private bool Warn(SessionWarning cause)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return false;
        }

        LogLimit[] limits = _warnings ??= new LogLimit[(int)SessionWarning.ReconnectFailed + 1];
        if (!limits[(int)cause].Enter(out int skipped))
        {
            return false;
        }

        if (skipped > 0)
        {
            Log.SessionWarningsSkipped(_logger, SessionId, skipped, cause.ToString());
        }

        return true;
    }

    private LogLimit[]? _warnings;

    /// <summary>At the end: the warnings left out that no later line reported.</summary>
    private void ReportSkippedWarnings()
    {
        if (Volatile.Read(ref _warnings) is { } limits)
        {
            for (int i = 0; i < limits.Length; i++)
            {
                if (limits[i].TakeSkipped() is > 0 and int skipped)
                {
                    Log.SessionWarningsSkipped(_logger, SessionId, skipped, ((SessionWarning)i).ToString());
                }
            }
        }
    }

    /// <summary>
    /// A handler's exception: an error, logged with the exception, unless the session's end caused it (a cancellation by
    /// the end's token, or a send after the end), which is what a handler running at the end is expected to see.
    /// </summary>
    private void HandlerFailed(Exception e, string? stream)
    {
        if (_ended.IsCancellationRequested && e is OperationCanceledException or AppSessionEndedException)
        {
            Log.HandlerStoppedByEnd(_logger, SessionId, stream ?? "(session)");
            return;
        }

        if (stream is null)
        {
            Log.SessionHandlerFailed(_logger, SessionId, e);
        }
        else
        {
            Log.StreamHandlerFailed(_logger, SessionId, stream, e);
        }

        _options.Metrics?.SessionHandlerFailed();
    }

    /// <summary>One queued item: a handler the receive loop started (awaited here), or work not started yet.</summary>
    private async ValueTask RunOneAsync(SessionWork work)
    {
        if (work.Pending is { } pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                HandlerFailed(e, null);
            }
            finally
            {
                Return(work.ReturnAfter);
            }
        }
        else
        {
            await DoAsync(work).ConfigureAwait(false);
        }

        Interlocked.Decrement(ref _pendingWork);
    }

    /// <summary>Starts the worker unless it runs.</summary>
    private void WakeWorker()
    {
        lock (_handlersGate)
        {
            if (_workerRunning)
            {
                return;
            }

            _workerRunning = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static session => _ = session.RunWorkerAsync(), this, preferLocal: false);
    }

    /// <summary>
    /// Hands one item to the handlers, in order. When nothing waits, the receive loop runs the handlers itself, with no
    /// thread switch (most handlers finish at once); a handler that does not is awaited by the worker, and what follows
    /// waits in the queue behind it. When the queue is full the receive loop waits: nothing is dropped. Audio reaches the
    /// handlers in the socket's own buffer when they run at once; a handler still running keeps that buffer (the socket
    /// goes on in a new one), and audio queued behind other work is copied out of it.
    /// </summary>
    private async ValueTask DispatchAsync(SessionWork work, SessionSocket socket)
    {
        if (Volatile.Read(ref _pendingWork) == 0)
        {
            ValueTask run = DoAsync(work);
            if (run.IsCompleted)
            {
                return;
            }

            byte[]? keep = work.Audio is { Pooled: null } borrowed ? socket.Detach(borrowed.Memory) : null;
            work = new SessionWork(null, null, false, run.AsTask(), keep);
        }
        else if (work.Audio is { Pooled: null } borrowed)
        {
            byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(borrowed.Memory.Length, 1));
            borrowed.Memory.CopyTo(copy);
            work = work with { Audio = new AudioChunk(copy.AsMemory(0, borrowed.Memory.Length), copy) };
        }

        Interlocked.Increment(ref _pendingWork);
        while (Queue(work, limited: true) is { } full)
        {
            Log.HandlersBehind(_logger, SessionId, work.Message?.Type ?? work.StreamType ?? "audio_chunk");
            WakeWorker();
            await full.ConfigureAwait(false);
        }

        WakeWorker();
    }

    /// <summary>Queues work for the worker, from outside the receive loop (the ack's connected handlers).</summary>
    private void Enqueue(SessionWork work)
    {
        Interlocked.Increment(ref _pendingWork);
        Queue(work, limited: false);
        WakeWorker();
    }

    /// <summary>
    /// Adds <paramref name="work"/> to the queue; when the queue is full (and <paramref name="limited"/>), adds nothing and
    /// returns a task that completes when there is room again. Once the session has ended, work is dropped (its pooled
    /// audio returned).
    /// </summary>
    private Task? Queue(SessionWork work, bool limited)
    {
        lock (_handlersGate)
        {
            if (!_queueClosed)
            {
                Queue<SessionWork> queue = _queue ??= new Queue<SessionWork>();
                if (limited && queue.Count >= _options.QueueLength)
                {
                    return (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                }

                queue.Enqueue(work);
                return null;
            }
        }

        Interlocked.Decrement(ref _pendingWork);
        Return(work.Audio?.Pooled);
        Return(work.ReturnAfter);
        return null;
    }

    private static void Return(byte[]? pooled)
    {
        if (pooled is not null)
        {
            ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    /// <summary>No more work is queued (the session has ended); the worker still runs what is queued, and a full queue's waiter goes on.</summary>
    private void CloseQueue()
    {
        lock (_handlersGate)
        {
            _queueClosed = true;
            _room?.TrySetResult();
            _room = null;
        }
    }

    /// <summary>Runs the handlers of one item; a handler's exception is logged and the session goes on.</summary>
    private async ValueTask DoAsync(SessionWork work)
    {
        try
        {
            if (work.Audio is { } audio)
            {
                try
                {
                    foreach (Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> handler in _routes.AudioHandlers())
                    {
                        await Invoke(handler(audio.Memory, _ended.Token), "audio_chunk").ConfigureAwait(false);
                    }
                }
                finally
                {
                    Return(audio.Pooled);
                }
            }
            else if (work.Connected)
            {
                foreach (Func<AppSession, CancellationToken, ValueTask> handler in ConnectedHandlers)
                {
                    await Invoke(handler(this, _ended.Token), "connected").ConfigureAwait(false);
                }
            }
            else if (work.Change is { } change)
            {
                await RunConnectionHandlersAsync(change).ConfigureAwait(false);
            }
            else if (work.Data is { } data)
            {
                await _routes.InvokeStreamAsync(work.StreamType!, data, this, _ended.Token).ConfigureAwait(false);
            }
            else if (work.Message is { } message)
            {
                await _routes.InvokeMessageAsync(message, this, _ended.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            HandlerFailed(e, null);
        }
    }

    /// <summary>Awaits one handler's result; an exception is logged, and the session goes on.</summary>
    internal ValueTask Invoke(ValueTask handler, string what) =>
        handler.IsCompletedSuccessfully ? default : AwaitHandlerAsync(handler, what); // the common case: finished at once

    private async ValueTask AwaitHandlerAsync(ValueTask handler, string what)
    {
        try
        {
            await handler.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            HandlerFailed(e, what);
        }
    }

    private readonly object _handlersGate = new();

    private Func<AppSession, CancellationToken, ValueTask>[] ConnectedHandlers = [];

    private Func<AppSession, AppSessionEnd, ValueTask>[] EndedHandlers = [];

    /// <summary>
    /// Runs <paramref name="handler"/> after each ack (the first connect and every reconnect), first thing on the session's
    /// worker, before any message that follows: the place to show the first screen.
    /// </summary>
    /// <returns>The registration: dispose it to remove the handler.</returns>
    public IDisposable OnConnected(Func<AppSession, CancellationToken, ValueTask> handler) =>
        Register(handler, static session => session.ConnectedHandlers, static (session, handlers) => session.ConnectedHandlers = handlers);

    private Func<AppSession, AppSessionDisconnect, CancellationToken, ValueTask>[] DisconnectedHandlers = [];

    private Func<AppSession, AppSessionReconnect, CancellationToken, ValueTask>[] ReconnectingHandlers = [];

    private Func<AppSession, AppSessionReconnect, CancellationToken, ValueTask>[] ReconnectedHandlers = [];

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

    /// <summary>A registration: disposing it removes its handler, once.</summary>
    private sealed class Registration(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
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

    /// <summary>Runs <paramref name="handler"/> once when the session ends, however it ends.</summary>
    /// <returns>The registration: dispose it to remove the handler.</returns>
    public IDisposable OnEnded(Func<AppSession, AppSessionEnd, ValueTask> handler) =>
        Register(handler, static session => session.EndedHandlers, static (session, handlers) => session.EndedHandlers = handlers);

    /// <summary>
    /// Ends the session, once: the first caller's end is the session's, and every caller (a stop webhook, the receive loop,
    /// the host's shutdown) returns when the end's work is done, its handlers and the stop handler included.
    /// </summary>
    private Task EndAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _ending, done.Task, null) is { } running)
        {
            return running;
        }

        return RunEndAsync(end, runStopHandler, release, done);
    }

    private Task? _ending;

    private async Task RunEndAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release, TaskCompletionSource done)
    {
        try
        {
            await EndCoreAsync(end, runStopHandler, release).ConfigureAwait(false);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private async Task EndCoreAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release)
    {
        Volatile.Write(ref _end, end);
        // A full fence: a connect that sets its socket and then fails its transition, and this end that sets the state
        // and then reads the socket, cannot both miss each other, so one of the two closes the socket.
        Interlocked.Exchange(ref _state, (int)AppSessionState.Ended);
        SessionSocket? socket = Volatile.Read(ref _socket);
        if (socket is { State: WebSocketState.Open })
        {
            if (release is { } reason)
            {
                try
                {
                    await SendOnAsync(socket, new OwnershipRelease { PackageName = PackageName, SessionId = SessionId, Reason = reason, Timestamp = Now() }, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketException or IOException or SocketException or ObjectDisposedException)
                {
                }
            }

            await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, end.Reason).ConfigureAwait(false);
        }
        else if (socket is not null)
        {
            await AnswerCloseAsync(socket).ConfigureAwait(false);
        }

        _ended.Cancel();
        socket?.Dispose();
        CloseQueue();
        Interlocked.Exchange(ref _connected, null)?.TrySetResult();
        FailPending(end);
        await WaitForWorkerAsync().ConfigureAwait(false);
        foreach (Func<AppSession, AppSessionEnd, ValueTask> handler in EndedHandlers)
        {
            await Invoke(handler(this, end), "ended").ConfigureAwait(false);
        }

        ReportSkippedWarnings();
        Interlocked.Exchange(ref _finished, 1);
        Volatile.Read(ref _endedTask)?.TrySetResult(end);
        if (_onEnded is { } onEnded)
        {
            await onEnded(this, end, runStopHandler).ConfigureAwait(false);
        }
    }

    /// <summary>Completes the closing handshake the cloud started, echoing its code, so that its side sees a clean close.</summary>
    private static Task AnswerCloseAsync(SessionSocket socket) =>
        socket.State == WebSocketState.CloseReceived
            ? CloseQuietlyAsync(socket, (WebSocketCloseStatus)(socket.CloseStatus ?? (int)WebSocketCloseStatus.NormalClosure), socket.CloseStatusDescription ?? string.Empty)
            : Task.CompletedTask;

    private static async Task CloseQuietlyAsync(SessionSocket socket, WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
