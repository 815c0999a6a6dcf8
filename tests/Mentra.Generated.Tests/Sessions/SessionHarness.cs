using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Mentra.Generated.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>What the glasses test app saw.</summary>
public sealed class SessionProbe
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentQueue<string> Heard { get; } = new();

    public ConcurrentQueue<AppSession> Sessions { get; } = new();

    public int Stops => Calls.Count(c => c.StartsWith("stop ", StringComparison.Ordinal));

    /// <summary>What the app's connection handlers saw ([OnDisconnected], [OnReconnecting], [OnReconnected], [OnConnected]), in order.</summary>
    public ConcurrentQueue<string> Connection { get; } = new();

    /// <summary>How each session instance of the app ended ([OnEnded]), in order.</summary>
    public ConcurrentQueue<AppSessionEnd> Ends { get; } = new();

    private int _created;
    private int _disposed;

    /// <summary>Instances of the app made (one per webhook handler call, one per session).</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Instances of the app disposed.</summary>
    public int Disposed => Volatile.Read(ref _disposed);

    private int _inside;
    private int _mostInside;

    /// <summary>The most handlers that ran at once (see <see cref="Enter"/>); a session runs its handlers one at a time.</summary>
    public int MostInside => Volatile.Read(ref _mostInside);

    /// <summary>A handler starts; <see cref="Exit"/> when it ends.</summary>
    public void Enter()
    {
        int now = Interlocked.Increment(ref _inside);
        int most;
        while (now > (most = Volatile.Read(ref _mostInside)) && Interlocked.CompareExchange(ref _mostInside, now, most) != most)
        {
        }
    }

    public void Exit() => Interlocked.Decrement(ref _inside);

    /// <summary>Set when the app's settings handler starts.</summary>
    public ManualResetEventSlim SettingsHandled { get; } = new();

    internal void Made() => Interlocked.Increment(ref _created);

    internal void Gone() => Interlocked.Increment(ref _disposed);
}

/// <summary>
/// The glasses test app: its webhooks, and its session handlers bound at compile time. It echoes each transcription as
/// a text wall, throws on "throw", and records button presses.
/// </summary>
[MentraApp]
public partial class GlassesTestApp : IDisposable
{
    private readonly SessionProbe probe;

    public GlassesTestApp(SessionProbe probe)
    {
        this.probe = probe;
        probe.Made();
    }

    public void Dispose() => probe.Gone();

    [OnEnded]
    public void Ended(AppSessionEnd end) => probe.Ends.Enqueue(end);

    [OnSession]
    public void Start(string sessionId) => probe.Calls.Enqueue("session " + sessionId);

    [OnStop]
    public void Stop(string sessionId, StopReason reason) => probe.Calls.Enqueue($"stop {sessionId} {reason}");

    [OnDisconnected]
    public void Dropped(int? closeStatus, string reason) => probe.Connection.Enqueue($"disconnected {closeStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} {reason}");

    [OnReconnecting]
    public void Retrying(AppSessionReconnect reconnect) => probe.Connection.Enqueue($"reconnecting {reconnect.Attempt} {reconnect.Delay.TotalMilliseconds:0} ms {reconnect.LastFailure ?? "first"}");

    [OnReconnected]
    public void Back(int attempt) => probe.Connection.Enqueue("reconnected " + attempt);

    [OnConnected]
    public void Connected(AppSession session)
    {
        probe.Connection.Enqueue("connected");
        if (!probe.Sessions.Contains(session))
        {
            probe.Sessions.Enqueue(session);
        }
    }

    [OnTranscription("en-US")]
    public async Task Echo(string text, AppSession session, CancellationToken cancellationToken)
    {
        probe.Heard.Enqueue(text);
        if (text == "throw")
        {
            throw new InvalidOperationException("a handler failed");
        }

        if (text == "block")
        {
            await Task.Delay(Timeout.Infinite, cancellationToken); // until the session ends
        }

        if (text == "slow")
        {
            await Task.Delay(300, cancellationToken);
        }

        if (text == "play")
        {
            // Awaits a response the receive loop must read while this handler still runs.
            AudioPlayResponse played = await session.PlayAudioAsync("https://example.com/a.mp3", cancellationToken: cancellationToken);
            text = played.Success ? "played" : "not played";
        }

        await session.ShowTextWallAsync(text, cancellationToken: cancellationToken);
    }

    [OnButtonPress]
    public void Press(PressType pressType) => probe.Heard.Enqueue("press " + pressType);
}

/// <summary>An app server on Kestrel and an emulated cloud, both on 127.0.0.1, wired to each other.</summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    public const string ApiKey = "test-key";

    private SessionHarness(KestrelHost host, CloudEmulator cloud, SessionProbe probe)
    {
        Host = host;
        Cloud = cloud;
        Probe = probe;
    }

    public KestrelHost Host { get; }

    public CloudEmulator Cloud { get; }

    public SessionProbe Probe { get; }

    public AppSessionManager Manager => Host.Services.GetRequiredService<AppSessionManager>();

    /// <param name="configure">The app's options.</param>
    /// <param name="emulator">The emulated cloud's options, given the app's address.</param>
    /// <param name="cloudKey">The key the emulated cloud accepts, when it is not the app's.</param>
    /// <param name="connect">How the sessions open sockets, given the default way (for sockets that misbehave).</param>
    /// <param name="reconnectGrace">The cloud's grace period the reconnects fit in.</param>
    /// <param name="queueLength">How many messages may wait for a session's handlers.</param>
    public static Task<SessionHarness> StartAsync(
        Action<MentraOptions>? configure = null,
        Func<Uri, EmulatorOptions>? emulator = null,
        string? cloudKey = null,
        Func<Func<Uri, CancellationToken, Task<SessionSocket>>, Func<Uri, CancellationToken, Task<SessionSocket>>>? connect = null,
        TimeSpan? reconnectGrace = null,
        int? queueLength = null) =>
        StartAsync<GlassesTestApp>(configure, emulator, cloudKey, connect, reconnectGrace, queueLength);

    /// <summary>The storage's batching and retries in tenths of a second, for tests.</summary>
    internal static readonly Mentra.Generated.Storage.StorageTimings FastStorage = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100), 4, TimeSpan.FromSeconds(3));

    /// <summary>The harness with another app class (it gets the <see cref="SessionProbe"/> as a service).</summary>
    public static async Task<SessionHarness> StartAsync<TApp>(
        Action<MentraOptions>? configure = null,
        Func<Uri, EmulatorOptions>? emulator = null,
        string? cloudKey = null,
        Func<Func<Uri, CancellationToken, Task<SessionSocket>>, Func<Uri, CancellationToken, Task<SessionSocket>>>? connect = null,
        TimeSpan? reconnectGrace = null,
        int? queueLength = null,
        Mentra.Generated.Storage.StorageTimings? storage = null,
        TimeSpan? keepAlive = null,
        Action<IServiceCollection>? services = null,
        Action<Microsoft.AspNetCore.Builder.WebApplication>? map = null,
        string environment = "Production")
        where TApp : IMentraApp
    {
        var probe = new SessionProbe();
        KestrelHost host = await KestrelHost.StartAsync<TApp>(
            options =>
            {
                options.ApiKey = ApiKey;
                options.AllowInsecureLoopbackWebSocket = true;
                options.SessionAckTimeout = TimeSpan.FromSeconds(2);
                configure?.Invoke(options);
            },
            environment,
            collection =>
            {
                collection.AddSingleton(probe);
                services?.Invoke(collection);
            },
            map);
        AppSessionManager manager = host.Services.GetRequiredService<AppSessionManager>();
        SessionOptions defaults = manager.SessionOptions;
        manager.SessionOptions = new SessionOptions
        {
            PackageName = defaults.PackageName,
            ApiKey = defaults.ApiKey,
            AckTimeout = defaults.AckTimeout,
            MaxMessageBytes = defaults.MaxMessageBytes,
            Metrics = defaults.Metrics,
            Reconnect = defaults.Reconnect == ReconnectSchedule.Default ? new ReconnectSchedule(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)) : defaults.Reconnect,
            ReconnectGrace = reconnectGrace ?? defaults.ReconnectGrace,
            Connect = connect?.Invoke(defaults.Connect) ?? defaults.Connect,
            QueueLength = queueLength ?? defaults.QueueLength,
            KeepAliveInterval = keepAlive ?? defaults.KeepAliveInterval, // the options allow 1 s at least; tests go faster
            // Each session's storage against its own cloud, batched within tenths of a second rather than seconds.
            Storage = new Mentra.Generated.Storage.MentraStorage(defaults.PackageName, defaults.ApiKey, new Uri("http://127.0.0.1:9/"), null, host.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Mentra.Generated.Storage"), TimeProvider.System, storage ?? FastStorage),
        };
        CloudEmulator cloud = await CloudEmulator.StartAsync(emulator?.Invoke(host.Address) ?? new EmulatorOptions
        {
            AppUrl = host.Address,
            PackageName = "org.example.tests",
            ApiKey = cloudKey ?? ApiKey,
        });
        return new SessionHarness(host, cloud, probe);
    }

    /// <summary>A harness whose emulated cloud gives every session <paramref name="settings"/> in its ack.</summary>
    public static Task<SessionHarness> StartWithSettingsAsync(params AppSetting[] settings) => StartAsync(
        emulator: host => new EmulatorOptions { AppUrl = host, PackageName = "org.example.tests", ApiKey = ApiKey, Settings = settings });

    /// <summary>An app setting with its value and default value as JSON text (null for none).</summary>
    public static AppSetting Setting(string key, string? value, string? defaultValue = null) => new()
    {
        Key = key,
        Type = value is "true" or "false" ? (AppSettingType?)AppSettingType.Toggle : null,
        Value = value is null ? null : System.Text.Json.JsonDocument.Parse(value).RootElement,
        DefaultValue = defaultValue is null ? null : System.Text.Json.JsonDocument.Parse(defaultValue).RootElement,
    };

    /// <summary>Starts alice's session and waits until the app's subscriptions arrived.</summary>
    public async Task<EmulatedSession> StartAliceAsync()
    {
        (WebhookResult answer, EmulatedSession session) = await Cloud.StartSessionAsync("alice@example.com");
        Xunit.Assert.True(answer.Status == 200, answer.Status + " " + answer.Body);
        await session.WaitForAsync<SubscriptionUpdate>();
        await Eventually(() => Probe.Sessions.Count > 0, "the app's [OnConnected] ran");
        return session;
    }

    public static async Task Eventually(Func<bool> condition, string what, int milliseconds = 5000)
    {
        DateTime until = DateTime.UtcNow.AddMilliseconds(milliseconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("Still not true: " + what);
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync();
        await Host.DisposeAsync();
    }
}
