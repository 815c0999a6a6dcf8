using System;
using System.Buffers;
using System.IO;
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
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private WebSocket? _socket;
    private Func<AppSession, AppSessionEnd, bool, Task>? _onEnded;
    private ConnectionError? _lastError;
    private int _workerRunning;

    /// <summary>Items queued for the worker or run by it and not finished; the receive loop runs handlers itself only at zero.</summary>
    private int _pendingWork;

    /// <summary>
    /// Opens the socket, sends <c>tpa_connection_init</c> and waits for the ack (at most the ack timeout); then starts the
    /// receive loop and the handlers' worker, and sends the subscriptions. Throws <see cref="AppSessionConnectException"/>
    /// when the cloud refuses the session or does not ack in time; nothing is left running then.
    /// </summary>
    internal async Task ConnectAsync(Func<AppSession, AppSessionEnd, bool, Task> onEnded, CancellationToken cancellationToken)
    {
        _onEnded = onEnded;
        _socket = await OpenAsync(cancellationToken).ConfigureAwait(false);
        SetState(AppSessionState.Connected);
        _connected.TrySetResult();
        Enqueue(new SessionWork(null, null, 0, Connected: true));
        _ = Task.Run(RunAsync); // ends by itself with the session
        try
        {
            await SendSubscriptionsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or AppSessionEndedException)
        {
            // The socket broke right after the ack: the receive loop sees it and reconnects (subscriptions follow the ack).
            Log.SendFailed(_logger, e);
        }
    }

    /// <summary>Ends the session from this side: the stop webhook, a takeover, an explicit stop or the host's shutdown.</summary>
    internal Task StopAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release) =>
        EndAsync(end, runStopHandler, release);

    /// <summary>One socket, from open to ack. The init is the same on every attempt: the same session id and key.</summary>
    private async Task<WebSocket> OpenAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
        timeout.CancelAfter(_options.AckTimeout);
        WebSocket socket;
        try
        {
            socket = await _options.Connect(WebSocketUrl, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_ended.IsCancellationRequested)
        {
            throw new AppSessionConnectException($"The WebSocket did not open within {_options.AckTimeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is WebSocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            throw new AppSessionConnectException("The WebSocket could not be opened: " + e.Message, inner: e);
        }

        try
        {
            await SendOnAsync(socket, new ConnectionInit { SessionId = SessionId, PackageName = PackageName, ApiKey = _options.ApiKey, Timestamp = Now() }, timeout.Token).ConfigureAwait(false);
            while (true)
            {
                Frame frame = await ReceiveFrameAsync(socket, timeout.Token).ConfigureAwait(false);
                if (frame.IsClose)
                {
                    throw new AppSessionConnectException($"The cloud closed the socket ({frame.CloseStatus} {frame.CloseDescription}) before acknowledging the session.");
                }

                CloudMessage? message = frame.Kind == WebSocketMessageType.Text ? Parse(frame) : null;
                frame.Return();
                switch (message)
                {
                    case ConnectionAck ack:
                        Apply(ack);
                        return socket;
                    case ConnectionError or LegacyConnectionError:
                        // A refusal is final: the cloud closes with 1008 next, and the same init would be refused again.
                        ConnectionError error = AsError(message);
                        await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, "Refused").ConfigureAwait(false);
                        throw new AppSessionConnectException($"The cloud refused the session: {error.Code} ({error.Message}).", error);
                    default:
                        Log.BeforeAck(_logger, message?.Type ?? "(binary or unreadable)");
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_ended.IsCancellationRequested)
        {
            socket.Abort();
            socket.Dispose();
            throw new AppSessionConnectException($"The cloud did not acknowledge the session within {_options.AckTimeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            socket.Dispose();
            throw new AppSessionConnectException("The socket failed before the ack: " + e.Message, inner: e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Receives until the socket closes, then either ends the session (a normal or policy close: 1000, 1001, 1008, or a
    /// reason that says the app stopped or the user session ended) or connects again after each delay in turn.
    /// </summary>
    private async Task RunAsync()
    {
        AppSessionEnd end;
        while (true)
        {
            (int? status, string? description) = await ReceiveLoopAsync(_socket!).ConfigureAwait(false);
            if (_ended.IsCancellationRequested)
            {
                return; // ended from this side; EndAsync does the rest
            }

            if (IsTerminal(status, description))
            {
                end = new AppSessionEnd(description is { Length: > 0 } ? description : "Closed by the cloud", status, _lastError);
                break;
            }

            Log.Reconnecting(_logger, SessionId, status ?? 1006, description ?? string.Empty);
            SetState(AppSessionState.Reconnecting);
            Interlocked.Exchange(ref _connected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            WebSocket? next = null;
            AppSessionConnectException? last = null;
            foreach (TimeSpan delay in _options.ReconnectDelays)
            {
                try
                {
                    await Task.Delay(delay, _ended.Token).ConfigureAwait(false);
                    next = await OpenAsync(_ended.Token).ConfigureAwait(false);
                    break;
                }
                catch (OperationCanceledException) when (_ended.IsCancellationRequested)
                {
                    return;
                }
                catch (AppSessionConnectException e)
                {
                    last = e;
                    Log.ReconnectFailed(_logger, SessionId, e.Message);
                    if (e.Error is not null)
                    {
                        break;
                    }
                }
            }

            if (next is null)
            {
                end = new AppSessionEnd(last?.Error is null ? "Connection lost" : "The cloud refused the reconnect", status, last?.Error);
                break;
            }

            WebSocket old = Interlocked.Exchange(ref _socket, next)!;
            await AnswerCloseAsync(old).ConfigureAwait(false);
            old.Dispose();
            SetState(AppSessionState.Connected);
            _connected.TrySetResult();
            Log.Reconnected(_logger, SessionId);
            await SendSubscriptionsAsync().ConfigureAwait(false);
            Enqueue(new SessionWork(null, null, 0, Connected: true));
        }

        await EndAsync(end, runStopHandler: true, release: null).ConfigureAwait(false);
    }

    /// <summary>Terminal closes, as the protocol document lists them; anything else (1006, 1011, network errors) reconnects.</summary>
    internal static bool IsTerminal(int? status, string? description) =>
        status is 1000 or 1001 or 1008
        || (description is not null && (description.Contains("App stopped", StringComparison.OrdinalIgnoreCase) || description.Contains("User session ended", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Reads frames until the socket closes or fails; returns the close code and reason (none for an abnormal end).</summary>
    private async Task<(int? Status, string? Description)> ReceiveLoopAsync(WebSocket socket)
    {
        try
        {
            while (true)
            {
                Frame frame = await ReceiveFrameAsync(socket, _ended.Token).ConfigureAwait(false);
                if (frame.IsClose)
                {
                    return (frame.CloseStatus, frame.CloseDescription);
                }

                if (frame.TooLarge)
                {
                    Log.TooLarge(_logger, SessionId, _options.MaxMessageBytes);
                    frame.Return();
                    continue;
                }

                SessionWork? work;
                if (frame.Kind == WebSocketMessageType.Binary)
                {
                    work = Audio(frame);
                }
                else
                {
                    CloudMessage? message = Parse(frame);
                    frame.Return();
                    work = message is null ? null : Receive(message);
                }

                if (work is { } item)
                {
                    await DispatchAsync(item).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested)
        {
            return (null, null);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            return (null, null); // no close frame: abnormal, as 1006
        }
    }

    /// <summary>A message read whole into a pooled buffer, or the close that ended the socket.</summary>
    private readonly record struct Frame(WebSocketMessageType Kind, byte[]? Buffer, int Length, bool TooLarge, int? CloseStatus, string? CloseDescription)
    {
        public bool IsClose => Kind == WebSocketMessageType.Close;

        public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);

        public void Return()
        {
            if (Buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(Buffer);
            }
        }
    }

    /// <summary>
    /// Waits for a message with a zero-byte read, so that an idle session holds no receive buffer, then reads it whole
    /// into a pooled buffer; a message over the limit is read to its end and dropped.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Frame> ReceiveFrameAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        ValueWebSocketReceiveResult first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return new Frame(WebSocketMessageType.Close, null, 0, false, (int?)socket.CloseStatus, socket.CloseStatusDescription);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        int length = 0;
        bool tooLarge = false;
        bool end = first.EndOfMessage;
        WebSocketMessageType kind = first.MessageType;
        try
        {
            while (!end)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= _options.MaxMessageBytes)
                    {
                        tooLarge = true;
                        length = 0; // keep reading to the message's end, keeping nothing
                    }
                    else
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxMessageBytes));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new Frame(WebSocketMessageType.Close, null, 0, false, (int?)socket.CloseStatus, socket.CloseStatusDescription);
                }

                length += result.Count;
                end = result.EndOfMessage;
                tooLarge |= length > _options.MaxMessageBytes;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return new Frame(kind, buffer, length, tooLarge, null, null);
    }

    /// <summary>The message in a text frame; a frame that is not a message of this protocol is logged and skipped.</summary>
    private CloudMessage? Parse(in Frame frame)
    {
        try
        {
            var reader = new Utf8JsonReader(frame.Span);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                CloudMessage message = CloudMessageJsonConverter.ReadObject(ref reader);
                if (!reader.Read())
                {
                    return message;
                }
            }

            // Anything else (not an object, trailing text) gets JsonSerializer's own message.
            return JsonSerializer.Deserialize(frame.Span, AppSessionJsonContext.Default.CloudMessage) ?? throw new JsonException("The message is null.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            Log.BadMessage(_logger, SessionId, e.Message);
            return null;
        }
    }

    /// <summary>An audio chunk for the handlers (its pooled buffer goes with it), or null when the app did not subscribe.</summary>
    private SessionWork? Audio(in Frame frame)
    {
        if (!_routes.WantsAudio)
        {
            Log.UnexpectedAudio(_logger, SessionId, frame.Length);
            frame.Return();
            return null;
        }

        return new SessionWork(null, frame.Buffer, frame.Length, false);
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
                Settings = update.Settings;
                break;
            case SystemSettingsUpdate update:
                SystemSettings = update.Settings;
                break;
            case CapabilitiesUpdate update:
                Capabilities = update.Capabilities;
                break;
            case DashboardModeChanged changed:
                DashboardMode = changed.Mode;
                break;
            case ConnectionError or LegacyConnectionError:
                // The legacy spelling reaches the handlers as the current one, so that [OnConnectionError] sees both.
                _lastError = AsError(message);
                message = _lastError;
                Log.CloudError(_logger, SessionId, _lastError.Code?.Value ?? "(none)", _lastError.Message ?? string.Empty);
                break;
            case AudioPlayResponse response when Complete(response.RequestId, response):
                return null;
            case DataStream { Data: LocationUpdate { CorrelationId: { } id } } stream when Complete(id, stream.Data):
                return null;
        }

        return new SessionWork(message, null, 0, false);
    }

    private void Apply(ConnectionAck ack)
    {
        Settings = ack.Settings ?? Settings;
        SystemSettings = ack.MentraosSettings ?? ack.AugmentosSettings ?? SystemSettings;
        Capabilities = ack.Capabilities;
    }

    private static ConnectionError AsError(CloudMessage message) => message switch
    {
        ConnectionError error => error,
        LegacyConnectionError legacy => new ConnectionError { Code = legacy.Code, Message = legacy.Message, Timestamp = legacy.Timestamp },
        _ => throw new ArgumentException("Not an error message.", nameof(message)),
    };

    /// <summary>
    /// The handlers' worker: what the receive loop could not run itself, one item at a time, in order (a handler that did
    /// not finish at once, and the messages that came while it ran).
    /// </summary>
    private async Task RunWorkerAsync()
    {
        while (true)
        {
            while (_work.Reader.TryRead(out SessionWork work))
            {
                await RunOneAsync(work).ConfigureAwait(false);
            }

            // Idle: the worker ends, so that an idle session holds no waiting task; the next queued item starts it again.
            Volatile.Write(ref _workerRunning, 0);
            if (_work.Reader.Count == 0 || Interlocked.CompareExchange(ref _workerRunning, 1, 0) != 0)
            {
                return;
            }
        }
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
                Log.SessionHandlerFailed(_logger, SessionId, e);
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
        if (Interlocked.CompareExchange(ref _workerRunning, 1, 0) == 0)
        {
            _ = Task.Run(RunWorkerAsync);
        }
    }

    /// <summary>
    /// Hands one item to the handlers, in order. When nothing waits, the receive loop runs the handlers itself, with no
    /// thread switch (most handlers finish at once); a handler that does not is awaited by the worker, and what follows
    /// waits in the queue behind it. When the queue is full the receive loop waits: nothing is dropped.
    /// </summary>
    private async ValueTask DispatchAsync(SessionWork work)
    {
        if (Volatile.Read(ref _pendingWork) == 0)
        {
            ValueTask run = DoAsync(work);
            if (run.IsCompleted)
            {
                return;
            }

            work = new SessionWork(null, null, 0, false, run.AsTask());
        }

        Interlocked.Increment(ref _pendingWork);
        if (!_work.Writer.TryWrite(work))
        {
            Log.HandlersBehind(_logger, SessionId, work.Message?.Type ?? "audio_chunk");
            WakeWorker();
            await _work.Writer.WriteAsync(work, _ended.Token).ConfigureAwait(false);
        }

        WakeWorker();
    }

    /// <summary>Queues work for the worker, from outside the receive loop (the ack's connected handlers).</summary>
    private void Enqueue(SessionWork work)
    {
        Interlocked.Increment(ref _pendingWork);
        if (_work.Writer.TryWrite(work))
        {
            WakeWorker();
        }
        else
        {
            Interlocked.Decrement(ref _pendingWork);
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
                        await Invoke(handler(audio.AsMemory(0, work.AudioLength), _ended.Token), "audio_chunk").ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(audio);
                }
            }
            else if (work.Connected)
            {
                foreach (Func<AppSession, CancellationToken, ValueTask> handler in ConnectedHandlers)
                {
                    await Invoke(handler(this, _ended.Token), "connected").ConfigureAwait(false);
                }
            }
            else if (work.Message is DataStream stream)
            {
                await _routes.InvokeStreamAsync(stream.StreamType, stream.Data, _invoke, _ended.Token).ConfigureAwait(false);
            }
            else if (work.Message is { } message)
            {
                await _routes.InvokeMessageAsync(message, _invoke, _ended.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            Log.SessionHandlerFailed(_logger, SessionId, e);
        }
    }

    /// <summary><see cref="Invoke"/> as a delegate made once, for the routes to call.</summary>
    private Func<ValueTask, string, ValueTask> _invoke => field ??= Invoke;

    private async ValueTask Invoke(ValueTask handler, string what)
    {
        if (handler.IsCompletedSuccessfully)
        {
            return; // the common case: a handler that finished synchronously; no state machine to await
        }

        try
        {
            await handler.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.StreamHandlerFailed(_logger, SessionId, what, e);
        }
    }

    private readonly object _handlersGate = new();

    private Func<AppSession, CancellationToken, ValueTask>[] ConnectedHandlers = [];

    private Func<AppSession, AppSessionEnd, ValueTask>[] EndedHandlers = [];

    /// <summary>
    /// Runs <paramref name="handler"/> after each ack (the first connect and every reconnect), first thing on the session's
    /// worker, before any message that follows: the place to show the first screen.
    /// </summary>
    public void OnConnected(Func<AppSession, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            ConnectedHandlers = [.. ConnectedHandlers, handler];
        }
    }

    /// <summary>Runs <paramref name="handler"/> once when the session ends, however it ends.</summary>
    public void OnEnded(Func<AppSession, AppSessionEnd, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            EndedHandlers = [.. EndedHandlers, handler];
        }
    }

    private async Task EndAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release)
    {
        if (Interlocked.CompareExchange(ref _end, end, null) is not null)
        {
            return;
        }

        SetState(AppSessionState.Ended);
        WebSocket? socket = Volatile.Read(ref _socket);
        if (socket is { State: WebSocketState.Open })
        {
            if (release is { } reason)
            {
                try
                {
                    await SendOnAsync(socket, new OwnershipRelease { PackageName = PackageName, SessionId = SessionId, Reason = reason, Timestamp = Now() }, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
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
        _work.Writer.TryComplete();
        _connected.TrySetResult();
        FailPending(end);
        foreach (Func<AppSession, AppSessionEnd, ValueTask> handler in EndedHandlers)
        {
            await Invoke(handler(this, end), "ended").ConfigureAwait(false);
        }

        _endedTask.TrySetResult(end);
        if (_onEnded is { } onEnded)
        {
            await onEnded(this, end, runStopHandler).ConfigureAwait(false);
        }
    }

    /// <summary>Completes the closing handshake the cloud started, echoing its code, so that its side sees a clean close.</summary>
    private static Task AnswerCloseAsync(WebSocket socket) =>
        socket.State == WebSocketState.CloseReceived
            ? CloseQuietlyAsync(socket, socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription ?? string.Empty)
            : Task.CompletedTask;

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            // Close reasons are at most 123 bytes of UTF-8.
            string shortReason = reason.Length > 60 ? reason.Substring(0, 60) : reason;
            await socket.CloseOutputAsync(status, shortReason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
