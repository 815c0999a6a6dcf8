using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated.Sessions;

/// <summary>
/// One app session: the WebSocket between this server and MentraOS Cloud for one user of this app. Handlers receive
/// it; it carries what the cloud told the app (settings, system settings, capabilities, device state) and sends what
/// the app shows or asks for. Messages reach the app's handlers one at a time, in the order the cloud sent them, on
/// the session's own worker: a slow or failing handler delays only its own session and never its receive loop.
/// </summary>
public sealed partial class AppSession
{
    private readonly SessionOptions _options;
    private readonly ILogger _logger;
    private readonly SessionRoutes _routes = new();
    private object? _typedSettings; // the last SettingsAs result, with what it was read from
    private readonly CancellationTokenSource _ended = new();

    // Made only when someone waits (an idle session holds neither): the end, for Completion; the next ack, for a send
    // made while the session (re)connects. _finished is set once the end's handlers have run.
    private TaskCompletionSource<AppSessionEnd>? _endedTask;
    private TaskCompletionSource? _connected;
    private int _finished;
    private int _state = (int)AppSessionState.Connecting;
    private AppSessionEnd? _end;

    internal AppSession(string sessionId, string userId, Uri webSocketUrl, SessionOptions options, ILogger logger)
    {
        SessionId = sessionId;
        UserId = userId;
        WebSocketUrl = webSocketUrl;
        _options = options;
        _logger = logger;
        _routes.Changed += OnSubscriptionsChanged;
    }

    /// <summary>The session's id, as the cloud sent it: <c>&lt;userId&gt;-&lt;packageName&gt;</c>. Treat it as opaque.</summary>
    public string SessionId { get; }

    /// <summary>The user's id, their e-mail address.</summary>
    public string UserId { get; }

    /// <summary>The app's package name.</summary>
    public string PackageName => _options.PackageName;

    /// <summary>The validated v2 WebSocket URL the session connects to.</summary>
    public Uri WebSocketUrl { get; }

    /// <summary>Where the session is in its life.</summary>
    public AppSessionState State => (AppSessionState)Volatile.Read(ref _state);

    /// <summary>Fires when the session ends, for work that should stop with it.</summary>
    public CancellationToken Ending => _ended.Token;

    /// <summary>Completes with how the session ended.</summary>
    public Task<AppSessionEnd> Completion
    {
        get
        {
            TaskCompletionSource<AppSessionEnd> completion = LazyInitializer.EnsureInitialized(ref _endedTask, static () => new(TaskCreationOptions.RunContinuationsAsynchronously));
            if (Volatile.Read(ref _finished) == 1)
            {
                completion.TrySetResult(_end!);
            }

            return completion.Task;
        }
    }

    /// <summary>The user's settings of this app, as the last ack or <c>settings_update</c> gave them.</summary>
    public IReadOnlyList<AppSetting> Settings { get; private set; } = [];

    /// <summary>
    /// Takes <paramref name="settings"/> as the session's settings, unless they are the settings it has already: false then,
    /// and no handler hears of them. Under the handlers' gate, as both the receive loop and a settings push call it.
    /// </summary>
    private bool ApplySettings(IReadOnlyList<AppSetting> settings)
    {
        lock (_handlersGate)
        {
            if (Serialization.GeneratedJson.ListEquals(settings, Settings))
            {
                return false;
            }

            Settings = _options.Shared.Share(settings);
            return true;
        }
    }

    /// <summary>
    /// The cloud's settings push (<c>POST /settings</c>) for this session's user: applied as a <c>settings_update</c> on
    /// the socket would be, with the same handlers, in order with the socket's messages; settings the session has already
    /// (the cloud sends the same change over the socket too) reach no handler. False when the session is not connected
    /// (one still connecting gets the settings with its ack) or has ended.
    /// </summary>
    internal bool PushSettings(IReadOnlyList<AppSetting> settings)
    {
        if (State is not (AppSessionState.Connected or AppSessionState.Reconnecting) || _ended.IsCancellationRequested)
        {
            return false;
        }

        if (ApplySettings(settings))
        {
            EnqueueFromOutside(new SessionWork(new SettingsUpdate { Settings = Settings, SessionId = SessionId, PackageName = PackageName }, null, false));
        }

        return true;
    }

    /// <summary>The user's system settings (<c>mentraosSettings</c>, or <c>augmentosSettings</c> from older clouds).</summary>
    public SystemSettings SystemSettings { get; private set; } = SharedValues.NoSystemSettings;

    /// <summary>What the glasses can do; null when no glasses model is known.</summary>
    public Capabilities? Capabilities { get; private set; }

    /// <summary>The glasses' state: the full snapshot after the ack, with every later change merged in.</summary>
    public DeviceState DeviceState { get; private set; } = SharedValues.NoDeviceState;

    /// <summary>The dashboard's mode, once the cloud has said it.</summary>
    public DashboardMode? DashboardMode { get; private set; }

    /// <summary>The value of the app setting <paramref name="key"/>, if the user's settings have it.</summary>
    public System.Text.Json.JsonElement? Setting(string key) => Find(Settings, key);

    private static System.Text.Json.JsonElement? Find(IReadOnlyList<AppSetting> settings, string key)
    {
        foreach (AppSetting setting in settings)
        {
            if (setting.Key == key)
            {
                return setting.Value ?? setting.DefaultValue;
            }
        }

        return null;
    }

    /// <summary>
    /// The app setting <paramref name="key"/> read as <typeparamref name="T"/> with <paramref name="typeInfo"/> (from your
    /// own <c>JsonSerializerContext</c>, so it works under NativeAOT), for a setting whose value is an object or a list;
    /// default when the user has no such setting.
    /// </summary>
    public T? Setting<T>(string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        Setting(key) is { } value ? System.Text.Json.JsonSerializer.Deserialize(value, typeInfo) : default;

    /// <summary>The app setting <paramref name="key"/> as a boolean (a toggle), if it is one.</summary>
    public bool? SettingBoolean(string key) => Setting(key) is { } value && value.ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>The app setting <paramref name="key"/> as text (text, select), if it is a string.</summary>
    public string? SettingString(string key) => Setting(key) is { ValueKind: System.Text.Json.JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>The app setting <paramref name="key"/> as a number (slider, numeric input, time picker), if it is one.</summary>
    public double? SettingNumber(string key) => Setting(key) is { ValueKind: System.Text.Json.JsonValueKind.Number } value ? value.GetDouble() : null;

    /// <summary>
    /// Runs <paramref name="handler"/> with the new and the old value whenever a <c>settings_update</c> changes the app
    /// setting <paramref name="key"/> (compared as JSON; the same update sent twice, as the cloud does, calls it once). The
    /// values the ack brings are the starting point, not a change.
    /// </summary>
    public IDisposable OnSettingChanged(string key, Func<System.Text.Json.JsonElement?, System.Text.Json.JsonElement?, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(handler);
        return WatchSettings(
            settings => Find(settings, key),
            static (now, last) => now is { } a ? last is { } b && System.Text.Json.JsonElement.DeepEquals(a, b) : last is null,
            handler);
    }

    /// <summary>
    /// All of the app's settings as one <typeparamref name="T"/>, read with <paramref name="typeInfo"/> (from your own
    /// <c>JsonSerializerContext</c>, so it works under NativeAOT): each setting is the property its key names (use
    /// <c>[JsonPropertyName("show_interim")]</c> where the C# name differs), with its value or else its default value; a
    /// setting <typeparamref name="T"/> does not declare is ignored, and a property no setting names keeps its own default.
    /// A setting whose value does not fit its property is a <see cref="System.Text.Json.JsonException"/> that names it.
    /// Give defaults as constructor parameters (a positional record): System.Text.Json uses a missing parameter's
    /// default value, while it sets an init-only property that no setting names to its type's default. Cheap to call for
    /// every message: the same instance is returned until the settings change, so <typeparamref name="T"/> is best immutable.
    /// </summary>
    public T SettingsAs<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        IReadOnlyList<AppSetting> settings = Settings;
        if (Volatile.Read(ref _typedSettings) is TypedSettings<T> last && ReferenceEquals(last.From, settings) && ReferenceEquals(last.TypeInfo, typeInfo))
        {
            return last.Value;
        }

        T value = Read(settings, typeInfo);
        Volatile.Write(ref _typedSettings, new TypedSettings<T>(settings, typeInfo, value));
        return value;
    }

    /// <summary>A <see cref="SettingsAs{T}"/> result and the settings and type information it was read from.</summary>
    private sealed record TypedSettings<T>(IReadOnlyList<AppSetting> From, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> TypeInfo, T Value);

    /// <summary>
    /// Runs <paramref name="handler"/> with the new and the old settings, read as <see cref="SettingsAs{T}"/> reads them,
    /// whenever a <c>settings_update</c> changes them (compared with <typeparamref name="T"/>'s equality, by value for a
    /// record; the same update sent twice, as the cloud does, calls it once). The settings the ack brings are the
    /// starting point, not a change.
    /// </summary>
    public IDisposable OnSettingsChanged<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, Func<T, T, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(handler);
        return WatchSettings(settings => Read(settings, typeInfo), static (now, last) => EqualityComparer<T>.Default.Equals(now, last), handler);
    }

    private static T Read<T>(IReadOnlyList<AppSetting> settings, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        var json = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            foreach (AppSetting setting in settings)
            {
                if (setting.Key is { } key && (setting.Value ?? setting.DefaultValue) is { } value)
                {
                    writer.WritePropertyName(key);
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Json.JsonSerializer.Deserialize(json.WrittenSpan, typeInfo)
            ?? throw new System.Text.Json.JsonException("The app's settings read as null for " + typeof(T).Name + ".");
    }

    /// <summary>
    /// Calls <paramref name="handler"/> with the new and the old view of the settings whenever a <c>settings_update</c>
    /// changes the view; the view of the ack's settings is the starting point.
    /// </summary>
    private IDisposable WatchSettings<TView>(Func<IReadOnlyList<AppSetting>, TView> view, Func<TView, TView, bool> same, Func<TView, TView, CancellationToken, ValueTask> handler)
    {
        TView last = view(Settings);
        bool known = State == AppSessionState.Connected;
        IDisposable connected = OnConnected((session, _) =>
        {
            last = view(session.Settings);
            known = true;
            return ValueTask.CompletedTask;
        });
        IDisposable updates = _routes.OnMessage<SettingsUpdate>((update, cancellationToken) =>
        {
            TView now = view(update.Settings);
            if (known && same(now, last))
            {
                return ValueTask.CompletedTask;
            }

            TView old = last;
            last = now;
            known = true;
            return handler(now, old, cancellationToken);
        });
        return new Registration(() =>
        {
            updates.Dispose();
            connected.Dispose();
        });
    }

    /// <summary>Every subscription the cloud is told: those the app's handlers declare, and those added at run time.</summary>
    public IReadOnlyList<Subscription> Subscriptions => _routes.Subscriptions();

    /// <summary>
    /// Handles the data of <paramref name="stream"/> (for example <c>transcription:en-US</c> or <c>button_press</c>), and
    /// subscribes to it while the handler is registered. Handlers declared with attributes are bound at compile time;
    /// this is for streams chosen at run time. Dispose the result to unsubscribe.
    /// </summary>
    public IDisposable OnStream<TData>(Subscription stream, Func<TData, CancellationToken, ValueTask> handler)
        where TData : StreamData
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(handler);
        return _routes.OnStream(stream, handler);
    }

    /// <summary>Handles every cloud message of type <typeparamref name="TMessage"/> (after the session has applied it).</summary>
    public IDisposable OnMessage<TMessage>(Func<TMessage, CancellationToken, ValueTask> handler)
        where TMessage : CloudMessage
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _routes.OnMessage(handler);
    }

    /// <summary>
    /// Handles the microphone's audio: each chunk is PCM 16-bit mono, 16 kHz, little-endian, valid only during the call
    /// (copy it to keep it). Subscribes to <c>audio_chunk</c> while registered.
    /// </summary>
    public IDisposable OnAudioChunk(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _routes.OnAudio(handler);
    }

    /// <summary>Adds a subscription without a handler (its messages are still given to <see cref="OnMessage{TMessage}"/> handlers).</summary>
    public IDisposable Subscribe(Subscription stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return _routes.Subscribe(stream);
    }

    internal SessionRoutes Routes => _routes;

    internal AppSessionEnd? End => Volatile.Read(ref _end);

    private void OnSubscriptionsChanged()
    {
        if (State == AppSessionState.Connected)
        {
            // The cloud replaces its set with each update: always the whole set, one update per change.
            _ = SendSubscriptionsAsync().AsTask().ContinueWith(
                static (task, state) => Log.SendFailed((ILogger)state!, task.Exception!.GetBaseException()),
                _logger,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        }
    }

    /// <summary>
    /// The one way the state changes before the end: from <paramref name="from"/> to <paramref name="to"/>, only if the
    /// session is still in <paramref name="from"/> (false when something else, the end above all, came first). The end
    /// itself is <see cref="EndAsync"/>'s, from any state, once.
    /// </summary>
    private bool TryTransition(AppSessionState from, AppSessionState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;

    internal static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Work for the session's handlers: a message, a stream's data (<see cref="Data"/> of <see cref="StreamType"/>, without
    /// its <c>data_stream</c> envelope), an audio chunk, the session's (re)connection or another change of its connection
    /// (<see cref="Change"/>), or a handler the receive loop started
    /// that has not finished (<see cref="Pending"/>), which later work waits behind; <see cref="ReturnAfter"/> is a pooled
    /// buffer that handler still reads, returned once it has finished.
    /// </summary>
    private readonly record struct SessionWork(
        CloudMessage? Message,
        AudioChunk? Audio,
        bool Connected,
        Task? Pending = null,
        byte[]? ReturnAfter = null,
        string? StreamType = null,
        StreamData? Data = null,
        ConnectionChange? Change = null);

    /// <summary>A change of the session's connection for its handlers: a drop, a reconnect attempt, or a reconnect that succeeded.</summary>
    private sealed record ConnectionChange(AppSessionDisconnect? Disconnect, AppSessionReconnect? Reconnecting, AppSessionReconnect? Reconnected);

    /// <summary>
    /// PCM audio for the handlers: <see cref="Memory"/> is in the socket's own buffer while the receive loop runs the
    /// handlers itself (no copy), or in <see cref="Pooled"/>, a copy of the session's own, returned after the handlers.
    /// </summary>
    private readonly record struct AudioChunk(ReadOnlyMemory<byte> Memory, byte[]? Pooled);
}
