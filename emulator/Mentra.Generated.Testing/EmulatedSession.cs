using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Emulator;

/// <summary>
/// One user's session of the app, as the cloud holds it: started by a <c>session_request</c>, attached to the app's
/// socket after a good init, held for the grace period when the socket drops, ended by a stop.
/// </summary>
public sealed class EmulatedSession
{
    private readonly CloudEmulator _cloud;
    private readonly object _gate = new();
    private readonly List<AppMessage> _received = [];
    private readonly Channel<AppMessage> _messages = Channel.CreateUnbounded<AppMessage>();
    private readonly DateTimeOffset _requested = DateTimeOffset.UtcNow;
    private EmulatedConnection? _connection;
    private DateTimeOffset? _droppedAt;
    private bool _everConnected;
    private bool _stopped;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<(int? Status, string? Reason)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal EmulatedSession(CloudEmulator cloud, string sessionId, string userId)
    {
        _cloud = cloud;
        SessionId = sessionId;
        UserId = userId;
        _streams = new EmulatedStreams(this, cloud);
    }

    /// <summary>The session's id.</summary>
    public string SessionId { get; }

    /// <summary>The user's id.</summary>
    public string UserId { get; }

    /// <summary>How many sockets the cloud accepted for this session (the first, then each reconnect).</summary>
    public int Connections { get; private set; }

    /// <summary>The subscriptions of the app's last <c>subscription_update</c>.</summary>
    public IReadOnlyList<Subscription> Subscriptions { get; private set; } = [];

    /// <summary>Whether the app released the session (<c>ownership_release</c>).</summary>
    public OwnershipReleaseReason? Released { get; private set; }

    /// <summary>Completes when the next ack is sent (after a drop, the reconnect's); a session_request answered 200 was acked already.</summary>
    public Task Connected => _connected.Task;

    /// <summary>Completes with the app's close (code and reason; none when the socket just dropped) of the current socket.</summary>
    public Task<(int? Status, string? Reason)> Closed => _closed.Task;

    /// <summary>Every message the app sent on this session, in order.</summary>
    public IReadOnlyList<AppMessage> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Every display event the app sent.</summary>
    public IReadOnlyList<DisplayEvent> Displays => Received.OfType<DisplayEvent>().ToList();

    /// <summary>Whether the session's current socket is open.</summary>
    public bool IsOpen => _connection?.Socket.State == WebSocketState.Open;

    /// <summary>The last text frame of this session that was not JSON (the cloud closes 1011 on one).</summary>
    public string? InvalidJson => _connection?.InvalidJson;

    /// <summary>Waits for the next app message of type <typeparamref name="T"/> that matches, skipping others.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null)
        where T : AppMessage
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                AppMessage message = await _messages.Reader.ReadAsync(limit.Token).ConfigureAwait(false);
                if (message is T typed && (match is null || match(typed)))
                {
                    return typed;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {typeof(T).Name} from the app within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds:0.#} s; it sent: " + string.Join(", ", Received.Select(m => m.Type)));
        }
    }

    /// <summary>Sends any cloud message on the current socket.</summary>
    public Task SendAsync(CloudMessage message) => Current.SendAsync(message);

    /// <summary>Sends a text frame as is (for malformed input).</summary>
    public Task SendTextAsync(string text) => Current.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    /// <summary>Sends a binary frame: microphone audio, PCM16.</summary>
    public Task SendAudioAsync(byte[] pcm) => Current.SendRawAsync(pcm, WebSocketMessageType.Binary);

    /// <summary>Sends a transcription as the cloud does, on the stream the app subscribed to for <paramref name="language"/>.</summary>
    public Task SendTranscriptionAsync(string text, bool isFinal = true, string language = "en-US")
    {
        string stream = Subscriptions.Select(s => s.Stream).FirstOrDefault(s => s is not null && s.StartsWith("transcription:" + language, StringComparison.Ordinal)) ?? "transcription:" + language;
        return SendAsync(Data(stream, new TranscriptionData { Text = text, IsFinal = isFinal, TranscribeLanguage = language, StartTime = 0, EndTime = 100 * text.Length, Provider = "emulator" }));
    }

    /// <summary>Sends a button press.</summary>
    public Task SendButtonPressAsync(PressType? pressType = null) =>
        SendAsync(Data("button_press", new ButtonPress { ButtonId = "main", PressType = pressType ?? PressType.Short, Timestamp = CloudEmulator.Now() }));

    /// <summary>Sends a touch gesture, on <c>touch_event:&lt;gesture&gt;</c> when the app subscribed to that form.</summary>
    public Task SendTouchAsync(string gesture)
    {
        string stream = Subscriptions.Any(s => s.Stream == "touch_event:" + gesture) ? "touch_event:" + gesture : "touch_event";
        return SendAsync(Data(stream, new TouchEvent { GestureName = gesture, DeviceModel = "Mentra Live", Timestamp = CloudEmulator.Now() }));
    }

    /// <summary>Sends a head position.</summary>
    public Task SendHeadPositionAsync(HeadPosition position) =>
        SendAsync(Data("head_position", new HeadPositionData { Position = position, Timestamp = CloudEmulator.Now() }));

    private readonly List<SpeechRequest> _spoken = [];
    private readonly Dictionary<string, long> _audioOutput = new(StringComparer.Ordinal);
    private readonly EmulatedStreams _streams;

    /// <summary>Every text the app had spoken on this session (play requests of the emulator's speech URL), in order.</summary>
    public IReadOnlyList<SpeechRequest> Spoken
    {
        get
        {
            lock (_gate)
            {
                return [.. _spoken];
            }
        }
    }

    /// <summary>The audio output streams the app opened, with the bytes of audio it sent on each.</summary>
    public IReadOnlyDictionary<string, long> AudioOutput
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, long>(_audioOutput);
            }
        }
    }

    /// <summary>The app's camera streams as the cloud holds them: the unmanaged and the managed one, each with its last status.</summary>
    public EmulatedStreams Streams => _streams;

    /// <summary>Fails the app's live stream (unmanaged or managed) with <paramref name="details"/>, as a dropped RTMP server would.</summary>
    public Task FailStreamAsync(string details = "The emulated stream failed") => _streams.FailAsync(Current, details);

    /// <summary>Refuses the app's subscribed streams that need <paramref name="permission"/> (MICROPHONE, LOCATION, CAMERA, ...) with a <c>permission_error</c>.</summary>
    public Task RefusePermissionAsync(string permission) =>
        Permissions.Refused(Subscriptions, [permission]) is { } refused ? SendAsync(refused) : Task.CompletedTask;

    /// <summary>Sends the dashboard's mode changing (the wearer looks up to the dashboard, or expands it).</summary>
    public Task SendDashboardModeAsync(DashboardMode mode) =>
        SendAsync(new DashboardModeChanged { Mode = mode, SessionId = SessionId, Timestamp = CloudEmulator.Now() });

    /// <summary>Sends the user turning the always-on dashboard on or off.</summary>
    public Task SendDashboardAlwaysOnAsync(bool enabled) =>
        SendAsync(new DashboardAlwaysOnChanged { Enabled = enabled, Timestamp = CloudEmulator.Now() });

    /// <summary>Sends the cloud's <c>custom_message</c> <c>update_datetime</c> with the time now, as the cloud does for apps subscribed to <c>custom_message</c>.</summary>
    public Task SendDateTimeAsync()
    {
        string now = DateTime.Now.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        using var payload = System.Text.Json.JsonDocument.Parse("{\"datetime\":\"" + now + "\",\"section\":\"topLeft\"}");
        return SendAsync(new CustomMessage { Action = "update_datetime", Payload = payload.RootElement.Clone(), Timestamp = CloudEmulator.Now() });
    }

    /// <summary>The stop a user makes: <c>stop_request</c>, then <c>app_stopped</c> and close 1000 "App stopped".</summary>
    public async Task<WebhookResult> StopAsync(string reason = "user_disabled")
    {
        WebhookResult answer = await _cloud.SendStopRequestAsync(SessionId, reason).ConfigureAwait(false);
        await EndAsync("App stopped").ConfigureAwait(false);
        return answer;
    }

    /// <summary>
    /// The cloud has decided that the session stops (its <c>stop_request</c> is on its way): a close of the socket from
    /// now on is the app's answer, not a drop, and starts no grace period nor resurrection.
    /// </summary>
    internal void Stopping()
    {
        lock (_gate)
        {
            _stopped = true;
        }
    }

    /// <summary>The user session's end (no webhook): <c>app_stopped</c>, then close 1000 "User session ended".</summary>
    public Task EndUserSessionAsync() => EndAsync("User session ended");

    /// <summary>Closes the socket with a code of the cloud's (1011 for an internal error, 1008 after a request error).</summary>
    public Task CloseAsync(WebSocketCloseStatus status, string reason) => Current.CloseAsync(status, reason);

    /// <summary>Drops the socket without a close frame, as a network failure or a cloud restart; the grace period starts.</summary>
    public void Drop() => Abort();

    private async Task EndAsync(string reason)
    {
        lock (_gate)
        {
            _stopped = true;
        }

        if (_connection is { } connection && connection.Socket.State == WebSocketState.Open)
        {
            try
            {
                await connection.SendAsync(new AppStopped { Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                await connection.CloseAsync(WebSocketCloseStatus.NormalClosure, reason).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or System.IO.IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The app closed its side first (an app ends the session on the stop webhook, which came just before).
            }
        }
    }

    internal void Abort()
    {
        lock (_gate)
        {
            _droppedAt = DateTimeOffset.UtcNow;
        }

        _connection?.Socket.Abort();
    }

    private EmulatedConnection Current => _connection ?? throw new InvalidOperationException($"The app has not connected session '{SessionId}'.");

    /// <summary>Whether an init may attach now: within the start timeout at first, then within the grace period after a drop, or once dormant.</summary>
    internal bool MayConnect(EmulatorOptions options)
    {
        lock (_gate)
        {
            if (!_everConnected)
            {
                return DateTimeOffset.UtcNow - _requested <= options.StartTimeout;
            }

            // After the first socket: an init re-attaches (in the grace period, or later while dormant) until the session
            // stops, unless this cloud plays one that lost the session.
            return !_stopped && options.AcceptReconnects;
        }
    }

    /// <summary>Whether the app has connected this session at least once.</summary>
    internal bool EverConnected
    {
        get
        {
            lock (_gate)
            {
                return _everConnected;
            }
        }
    }

    /// <summary>Attaches the app's socket: ack, the device snapshot, then every message until the socket ends.</summary>
    internal async Task RunAsync(EmulatedConnection connection, EmulatorOptions options)
    {
        lock (_gate)
        {
            _connection = connection;
            _everConnected = true;
            _droppedAt = null;
            Connections++;
            if (_closed.Task.IsCompleted)
            {
                _closed = new TaskCompletionSource<(int? Status, string? Reason)>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        await connection.SendAsync(_cloud.Ack(this)).ConfigureAwait(false);
        await connection.SendAsync(new DeviceStateUpdate { State = DefaultGlasses.State, FullSnapshot = true, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
        TaskCompletionSource connected = _connected;
        _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connected.TrySetResult();

        while (await connection.ReceiveAsync().ConfigureAwait(false) is { } message)
        {
            lock (_gate)
            {
                _received.Add(message);
            }

            switch (message)
            {
                case SubscriptionUpdate update:
                    Subscriptions = update.Subscriptions;
                    if (Permissions.Refused(update.Subscriptions, options.DeniedPermissions) is { } refused)
                    {
                        await connection.SendAsync(refused).ConfigureAwait(false);
                    }

                    break;
                case DisplayEvent display:
                    options.OnDisplay?.Invoke(this, display);
                    break;
                case OwnershipRelease release:
                    Released = release.Reason;
                    break;
                case AudioPlayRequest play when options.AnswerAudio && _cloud.SpeechOf(play.AudioUrl) is null:
                    await connection.SendAsync(new AudioPlayResponse { SessionId = SessionId, RequestId = play.RequestId, Success = true, Duration = 1200, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                    break;
                case PhotoRequest photo when options.PhotoError is { } code && options.PhotoErrorOverSocket:
                    await connection.SendAsync(new PhotoResponse { RequestId = photo.RequestId, Success = false, Error = new PhotoError { Code = code, Message = "The emulated camera reports " + code }, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                    break;
                case PhotoRequest photo when options.UploadPhotos:
                    _ = _cloud.UploadPhotoAsync(photo); // the glasses upload on their own, over HTTP
                    break;
                case Ping:
                    await connection.SendAsync(new Pong { Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                    break;
                case AudioPlayRequest play when _cloud.SpeechOf(play.AudioUrl) is { } speech:
                    lock (_gate)
                    {
                        _spoken.Add(speech);
                    }

                    options.OnSpeech?.Invoke(this, speech);
                    if (options.AnswerAudio)
                    {
                        await connection.SendAsync(new AudioPlayResponse { SessionId = SessionId, RequestId = play.RequestId, Success = true, Duration = 60 * speech.Text.Length, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                    }

                    break;
                case RtmpStreamRequest or ManagedStreamRequest or RtmpStreamStop or ManagedStreamStop or StreamStatusCheck:
                    await _streams.HandleAsync(connection, message, options).ConfigureAwait(false);
                    break;
                case AudioStreamStart start:
                    lock (_gate)
                    {
                        _audioOutput[start.StreamId] = 0;
                    }

                    await connection.SendAsync(new AudioStreamReady { StreamId = start.StreamId, StreamUrl = _cloud.BaseUrl + "audio-stream/" + start.StreamId, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                    break;
                case UnknownAppMessage { Type: "(binary)" } when connection.LastBinary is { Length: >= 36 } frame:
                    string streamId = System.Text.Encoding.ASCII.GetString(frame, 0, 36);
                    lock (_gate)
                    {
                        _audioOutput[streamId] = (_audioOutput.TryGetValue(streamId, out long bytes) ? bytes : 0) + frame.Length - 36;
                    }

                    break;
                case LocationPollRequest poll:
                    await connection.SendAsync(Data("location_update", new LocationUpdate { Lat = 48.8584, Lng = 2.2945, Accuracy = 5, CorrelationId = poll.CorrelationId, Timestamp = CloudEmulator.Now() })).ConfigureAwait(false);
                    break;
            }

            _messages.Writer.TryWrite(message);
        }

        bool unexpected;
        lock (_gate)
        {
            // A socket that ends while the session is not stopped nor released starts the grace period, whoever closed
            // it: the cloud brings back an app server that went away without ownership_release.
            unexpected = !_stopped && Released is null;
            if (unexpected)
            {
                _droppedAt ??= DateTimeOffset.UtcNow;
            }
        }

        _closed.TrySetResult(connection.Closed);
        if (unexpected)
        {
            _ = GraceAsync(connection, options);
        }
    }

    /// <summary>After the grace period, a session whose app has not re-attached is resurrected (stop webhook, new session).</summary>
    private async Task GraceAsync(EmulatedConnection dropped, EmulatorOptions options)
    {
        await Task.Delay(options.GracePeriod).ConfigureAwait(false);
        lock (_gate)
        {
            if (_stopped || Released is not null || !ReferenceEquals(_connection, dropped) || _droppedAt is null)
            {
                return;
            }

            _stopped = true;
        }

        try
        {
            await _cloud.ResurrectAsync(this).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Http.HttpRequestException or ObjectDisposedException or TaskCanceledException or InvalidOperationException)
        {
            // The app server or this emulator is gone; nothing to bring back.
        }
    }

    private DataStream Data(string streamType, StreamData data) =>
        new() { SessionId = SessionId, StreamType = streamType, Data = data, Timestamp = CloudEmulator.Now() };
}
