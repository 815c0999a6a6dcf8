using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>The app of these tests: the stream, permission, dashboard and custom-message handlers, recorded.</summary>
[MentraApp]
public partial class MediaTestApp
{
    private readonly SessionProbe probe;

    public MediaTestApp(SessionProbe probe) => this.probe = probe;

    [OnSession]
    public void Start(string sessionId) => probe.Calls.Enqueue("session " + sessionId);

    [OnStop]
    public void Stop(string sessionId) => probe.Calls.Enqueue("stop " + sessionId);

    [OnConnected]
    public void Connected(AppSession session)
    {
        if (!probe.Sessions.Contains(session))
        {
            probe.Sessions.Enqueue(session);
        }
    }

    [OnTranscription("en-US")]
    public void Heard(string text) => probe.Heard.Enqueue(text);

    [OnRtmpStreamStatus]
    public void Rtmp(RtmpStreamStatus status) => probe.Calls.Enqueue("rtmp " + status.Status.Value);

    [OnManagedStreamStatus]
    public void Managed(ManagedStreamStatus status) => probe.Calls.Enqueue("managed " + status.Status.Value);

    [OnPermissionError]
    public void Refused(PermissionError error) => probe.Calls.Enqueue("refused " + string.Join(",", error.Details!.Select(d => d.Stream + "/" + d.RequiredPermission)));

    [OnDashboardModeChanged]
    public void Mode(DashboardMode mode) => probe.Calls.Enqueue("mode " + mode.Value);

    [OnDashboardAlwaysOnChanged]
    public void AlwaysOn(bool enabled) => probe.Calls.Enqueue("always-on " + enabled);

    [OnCustomMessage]
    public void Custom(string action, JsonElement? payload) => probe.Calls.Enqueue("custom " + action + " " + payload?.GetProperty("section").GetString());

    /// <summary>As the incumbent's users do: stop the stream in the stop handler, when the socket may be closed already.</summary>
    [OnEnded]
    public async Task Ended(AppSession session)
    {
        await session.StopManagedStreamAsync();
        await session.StopRtmpStreamAsync();
        probe.Calls.Enqueue("ended, streams stopped");
    }
}

/// <summary>Speech, camera streams, permissions, system events, keepalive and audio output, against the emulated cloud over real sockets.</summary>
public sealed class MediaTests
{
    private static Task<SessionHarness> StartAsync(Func<Uri, EmulatorOptions>? emulator = null, Action<MentraOptions>? configure = null) =>
        SessionHarness.StartAsync<MediaTestApp>(configure, emulator);

    private static EmulatorOptions Cloud(Uri app, string? streamError = null, bool startStreams = true, string[]? denied = null) =>
        new() { AppUrl = app, PackageName = "org.example.tests", ApiKey = SessionHarness.ApiKey, StreamError = streamError, StartStreams = startStreams, DeniedPermissions = denied ?? [] };

    private static async Task<(EmulatedSession Session, AppSession App)> AliceAsync(SessionHarness harness)
    {
        EmulatedSession session = await harness.StartAliceAsync();
        return (session, Assert.Single(harness.Probe.Sessions));
    }

    [Fact]
    public async Task Speech_plays_the_clouds_speech_url_for_the_text_and_voice_and_waits_until_spoken()
    {
        await using SessionHarness harness = await StartAsync();
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);

        AudioPlayResponse spoken = await app.SpeakAsync("Turn left, then 20 m", new SpeechVoice("voice-1", "eleven_flash_v2_5", new VoiceSettings { Stability = 0.5, Speed = 1.1 }), volume: 0.8);

        Assert.True(spoken.Success);
        AudioPlayRequest request = Assert.Single(session.Received.OfType<AudioPlayRequest>());
        Assert.Equal(2, request.TrackId);
        Assert.True(request.StopOtherAudio);
        Assert.Equal(0.8, request.Volume);
        Assert.StartsWith("http://" + harness.Cloud.BaseUrl.Authority + "/api/tts?text=Turn%20left%2C%20then%2020%20m&voice_id=voice-1&model_id=eleven_flash_v2_5&voice_settings=", request.AudioUrl);
        SpeechRequest said = Assert.Single(session.Spoken);
        Assert.Equal("Turn left, then 20 m", said.Text);
        Assert.Equal("voice-1", said.VoiceId);
        Assert.Equal("""{"stability":0.5,"speed":1.1}""", said.VoiceSettings);

        // The phone fetches the URL: the emulator answers audio and records the text.
        using var http = new HttpClient();
        using HttpResponseMessage audio = await http.GetAsync(request.AudioUrl);
        Assert.Equal("audio/wav", audio.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Turn left, then 20 m", Assert.Single(harness.Cloud.SpeechFetched).Text);
    }

    [Theory]
    [InlineData("ws://127.0.0.1:9000/app-ws", "http://127.0.0.1:9000/")]
    [InlineData("wss://prod.augmentos.cloud/app-ws", "https://prod.augmentos.cloud/")]
    [InlineData("wss://cloud.mentra.glass:8443/v2/app-ws?x=1", "https://cloud.mentra.glass:8443/v2/")]
    public void The_clouds_http_base_follows_the_websocket_url(string webSocket, string http) =>
        Assert.Equal(http, AppSession.CloudHttpUrl(new Uri(webSocket)).AbsoluteUri);

    [Fact]
    public async Task An_rtmp_stream_starts_when_live_raises_each_status_once_and_stops()
    {
        await using SessionHarness harness = await StartAsync();
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);
        Assert.Contains("rtmp_stream_status", session.Subscriptions.Select(s => s.Stream));

        RtmpStreamStatus live = await app.StartRtmpStreamAsync("rtmp://live.example.com/app/key", new VideoConfig { Width = 1280, Height = 720 }, sound: false);

        Assert.Equal(RtmpStreamState.Streaming, live.Status);
        Assert.Equal("rtmp://live.example.com/app/key", Assert.Single(session.Received.OfType<RtmpStreamRequest>()).RtmpUrl);
        await SessionHarness.Eventually(() => app.RtmpStream?.Stats?.Duration == 2, "the cloud's repeated status arrived");
        await app.StopRtmpStreamAsync();
        await SessionHarness.Eventually(() => app.RtmpStream?.Status == RtmpStreamState.Stopped, "the stop was reported");
        await SessionHarness.Eventually(() => harness.Probe.Calls.Contains("rtmp stopped"), "the handler saw the stop");
        Assert.Equal(["rtmp initializing", "rtmp streaming", "rtmp stopped"], harness.Probe.Calls.Where(c => c.StartsWith("rtmp", StringComparison.Ordinal)));
        Assert.Equal(live.StreamId, session.Received.OfType<RtmpStreamStop>().Single().StreamId);
    }

    [Fact]
    public async Task A_stream_that_errors_fails_its_start_with_the_clouds_details()
    {
        await using SessionHarness harness = await StartAsync(host => Cloud(host, streamError: "RTMP server unreachable"));
        (_, AppSession app) = await AliceAsync(harness);

        StreamException error = await Assert.ThrowsAsync<StreamException>(() => app.StartRtmpStreamAsync("rtmp://nowhere.example/live"));

        Assert.Equal("error", error.Status);
        Assert.Contains("RTMP server unreachable", error.Message);
        StreamException managed = await Assert.ThrowsAsync<StreamException>(() => app.StartManagedStreamAsync("720p"));
        Assert.Contains("RTMP server unreachable", managed.Message);
    }

    [Fact]
    public async Task A_stream_that_never_goes_live_times_out_clearly_and_is_stopped()
    {
        await using SessionHarness harness = await StartAsync(host => Cloud(host, startStreams: false));
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);

        // The cloud answers initializing at once; the wait must outlast that answer reaching the session, which under a
        // loaded machine took more than 0.3 s (the test then saw no status at all).
        Task<ManagedStreamStatus> start = app.StartManagedStreamAsync(timeout: TimeSpan.FromSeconds(2));
        await SessionHarness.Eventually(() => app.ManagedStream?.Status == ManagedStreamState.Initializing, "the cloud's initializing reached the session", 1500);
        TimeoutException timeout = await Assert.ThrowsAsync<TimeoutException>(() => start);

        Assert.Equal("The managed stream was not live within 2 s (last status: initializing).", timeout.Message);
        await session.WaitForAsync<ManagedStreamStop>();
    }

    [Fact]
    public async Task A_managed_stream_gives_its_urls_is_found_by_a_check_and_reports_a_failure()
    {
        await using SessionHarness harness = await StartAsync();
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);

        ManagedStreamStatus live = await app.StartManagedStreamAsync("1080p", enableWebRtc: true, restreamDestinations: [new RestreamDestination { Url = "rtmp://a.rtmp.youtube.com/live2/KEY", Name = "YouTube" }]);

        string root = harness.Cloud.BaseUrl + "streams/" + live.StreamId + "/";
        Assert.Equal(root + "index.m3u8", live.HlsUrl);
        Assert.Equal(root + "manifest.mpd", live.DashUrl);
        Assert.Equal(root + "webrtc", live.WebrtcUrl);
        Assert.Equal("YouTube", Assert.Single(live.Outputs!).Name);
        Assert.Equal("1080p", Assert.Single(session.Received.OfType<ManagedStreamRequest>()).Quality);
        StreamStatusCheckResponse check = await app.CheckStreamAsync();
        Assert.True(check.HasActiveStream);
        Assert.Equal(live.StreamId, check.StreamInfo!.StreamId);

        await session.FailStreamAsync("The encoder stopped");
        await SessionHarness.Eventually(() => harness.Probe.Calls.Contains("managed error"), "the handler saw the failure");
        Assert.Equal("The encoder stopped", app.ManagedStream!.Message);
        Assert.Equal(1, harness.Probe.Calls.Count(c => c == "managed active")); // the cloud sent active twice
    }

    [Fact]
    public async Task Checks_made_together_share_one_request_and_a_second_start_while_one_waits_is_refused()
    {
        await using SessionHarness harness = await StartAsync(host => Cloud(host, startStreams: false));
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);

        StreamStatusCheckResponse[] answers = await Task.WhenAll(app.CheckStreamAsync(), app.CheckStreamAsync(), app.CheckStreamAsync());

        Assert.All(answers, answer => Assert.False(answer.HasActiveStream));
        Assert.InRange(session.Received.OfType<StreamStatusCheck>().Count(), 1, 3); // one, unless an answer came before the next call began
        Task<RtmpStreamStatus> first = app.StartRtmpStreamAsync("rtmp://live.example.com/a", timeout: TimeSpan.FromSeconds(1));
        var second = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartRtmpStreamAsync("rtmp://live.example.com/b"));
        Assert.Equal("The session is already starting an RTMP stream; wait for that start to finish.", second.Message);
        await Assert.ThrowsAsync<TimeoutException>(() => first);

        // A start given up before its answer lets the next one go.
        using (var cancelled = new CancellationTokenSource())
        {
            cancelled.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => app.StartManagedStreamAsync(cancellationToken: cancelled.Token));
        }

        await Assert.ThrowsAsync<TimeoutException>(() => app.StartManagedStreamAsync(timeout: TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Stopping_streams_after_the_socket_closed_neither_throws_nor_ends_the_process()
    {
        await using SessionHarness harness = await StartAsync();
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);
        await app.StartManagedStreamAsync();

        await session.StopAsync();
        await app.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        await SessionHarness.Eventually(() => harness.Probe.Calls.Contains("ended, streams stopped"), "the end handler stopped the streams");
        await app.StopManagedStreamAsync(); // and again, from outside, after the end
        await app.StopRtmpStreamAsync();
        Assert.DoesNotContain(harness.Host.Logs.Entries, e => e.Exception is not null);
    }

    [Fact]
    public async Task A_refused_permission_is_a_typed_event_and_one_log_line_per_stream()
    {
        await using SessionHarness harness = await StartAsync(host => Cloud(host, denied: ["MICROPHONE"]));
        (EmulatedSession session, _) = await AliceAsync(harness);

        await SessionHarness.Eventually(() => harness.Probe.Calls.Contains("refused transcription:en-US/MICROPHONE"), "the handler saw the refusal");
        await session.RefusePermissionAsync("MICROPHONE");
        await session.RefusePermissionAsync("MICROPHONE");
        await session.SendTranscriptionAsync("after"); // ordered after the refusals
        await SessionHarness.Eventually(() => harness.Probe.Heard.Contains("after"), "later messages arrived");

        Assert.Equal(3, harness.Probe.Calls.Count(c => c.StartsWith("refused", StringComparison.Ordinal)));
        var logged = Assert.Single(harness.Host.Logs.Entries, e => e.EventId == 42);
        Assert.Contains("transcription:en-US", logged.Message);
        Assert.Contains("MICROPHONE", logged.Message);
    }

    [Fact]
    public async Task Dashboard_mode_always_on_and_the_clouds_custom_messages_reach_their_handlers()
    {
        await using SessionHarness harness = await StartAsync();
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);
        Assert.Contains("custom_message", session.Subscriptions.Select(s => s.Stream));

        await session.SendDashboardModeAsync(DashboardMode.Expanded);
        await session.SendDashboardAlwaysOnAsync(true);
        await session.SendDateTimeAsync();

        await SessionHarness.Eventually(() => harness.Probe.Calls.Contains("custom update_datetime topLeft"), "the custom message arrived");
        Assert.Equal(["mode expanded", "always-on True", "custom update_datetime topLeft"], harness.Probe.Calls.Where(c => c.StartsWith("mode", StringComparison.Ordinal) || c.StartsWith("always", StringComparison.Ordinal) || c.StartsWith("custom", StringComparison.Ordinal)));
        Assert.Equal(DashboardMode.Expanded, app.DashboardMode);
    }

    [Fact]
    public async Task The_keepalive_is_off_by_default_and_when_on_pings_and_swallows_the_pongs()
    {
        await using (SessionHarness plain = await StartAsync())
        {
            Assert.Null(plain.Manager.SessionOptions.KeepAliveInterval);
        }

        await using (SessionHarness configured = await StartAsync(configure: options => options.SessionKeepAliveInterval = TimeSpan.FromSeconds(15)))
        {
            Assert.Equal(TimeSpan.FromSeconds(15), configured.Manager.SessionOptions.KeepAliveInterval);
        }

        await using SessionHarness harness = await SessionHarness.StartAsync<MediaTestApp>(keepAlive: TimeSpan.FromMilliseconds(100));
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);
        var seen = new ConcurrentQueue<string>();
        app.OnMessage<CloudMessage>((message, _) =>
        {
            seen.Enqueue(message.Type);
            return ValueTask.CompletedTask;
        });

        await session.WaitForAsync<Ping>();
        await session.WaitForAsync<Ping>();
        await session.SendTranscriptionAsync("after the pongs");
        await SessionHarness.Eventually(() => harness.Probe.Heard.Contains("after the pongs"), "the transcription arrived");

        Assert.DoesNotContain("pong", seen);
        Assert.Equal("""{"type":"ping"}""", JsonSerializer.Serialize<AppMessage>(new Ping(), AppSessionJsonContext.Default.AppMessage));
    }

    [Fact]
    public async Task Audio_output_streams_its_frames_through_the_clouds_relay()
    {
        await using SessionHarness harness = await StartAsync();
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);

        await using (AudioOutput output = await app.OpenAudioOutputAsync())
        {
            Assert.Equal(harness.Cloud.BaseUrl + "audio-stream/" + output.StreamId, output.Url.AbsoluteUri);
            Assert.Equal(output.Url.AbsoluteUri, (await session.WaitForAsync<AudioPlayRequest>()).AudioUrl);
            await output.WriteAsync(new byte[1000]);
            await output.WriteAsync(new byte[70_000]); // more than one frame length form
            await SessionHarness.Eventually(() => session.AudioOutput.TryGetValue(output.StreamId, out long sent) && sent == 71_000, "the audio reached the relay");
        }

        AudioStreamEnd end = await session.WaitForAsync<AudioStreamEnd>();
        Assert.Equal(Assert.Single(session.Received.OfType<AudioStreamStart>()).StreamId, end.StreamId);
    }

    [Fact]
    public async Task The_emulator_tools_commands_play_the_cloud()
    {
        await using SessionHarness harness = await StartAsync();
        (EmulatedSession session, AppSession app) = await AliceAsync(harness);
        harness.Cloud.Storage.Put(Alice, "k", "v");

        Assert.True(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/mode expanded"));
        Assert.True(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/always-on off"));
        Assert.True(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/datetime"));
        Assert.True(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/deny microphone"));
        Assert.True(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/storage"));
        Assert.False(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/mode sideways")); // not a mode: typed as a sentence
        Assert.False(await EmulatorCommand.CommandAsync(harness.Cloud, session, "hello"));
        await app.StartRtmpStreamAsync("rtmp://live.example.com/app/key");
        Assert.True(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/stream-error The uplink dropped"));

        await SessionHarness.Eventually(() => harness.Probe.Calls.Contains("rtmp error"), "the stream's failure arrived");
        Assert.Equal("The uplink dropped", app.RtmpStream!.ErrorDetails);
        Assert.Contains("mode expanded", harness.Probe.Calls);
        Assert.Contains("always-on False", harness.Probe.Calls);
        Assert.Contains("custom update_datetime topLeft", harness.Probe.Calls);
        Assert.Contains("refused transcription:en-US/MICROPHONE", harness.Probe.Calls);
    }

    private const string Alice = "alice@example.com";
}
