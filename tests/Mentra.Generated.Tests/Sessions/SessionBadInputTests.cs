using System;
using System.Linq;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>Bad input from the cloud's side is logged and skipped; the session stays up; the SDK never sends invalid JSON.</summary>
public sealed class SessionBadInputTests
{
    [Theory]
    [InlineData("{not json", 25, "is an invalid start of a property name")]
    [InlineData("[1,2]", 25, "")]
    [InlineData("""{"type":"data_stream","sessionId":"s","data":{"text":"x","isFinal":true}}""", 25, "The required property 'streamType' is missing from the data_stream.")]
    [InlineData("""{"type":"data_stream","streamType":"transcription:en-US","data":{"text":42,"isFinal":true}}""", 25, "The property 'text' must be a string, but it is a number.")]
    [InlineData("""{"type":"device_state_update","state":{"batteryLevel":"high"}}""", 25, "The property 'batteryLevel' must be an integer")]
    public async Task A_bad_message_is_logged_and_skipped(string frame, int eventId, string message)
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();

        await session.SendTextAsync(frame);
        await session.SendTranscriptionAsync("after");

        Assert.Equal("after", Assert.IsType<TextWall>((await session.WaitForAsync<DisplayEvent>()).Layout).Text);
        Assert.Contains(harness.Host.Logs.Entries, e => e.Category == "Mentra.Generated.Sessions" && e.EventId == eventId && e.Message.Contains(message, StringComparison.Ordinal));
        Assert.Equal(AppSessionState.Connected, Assert.Single(harness.Probe.Sessions).State);
    }

    [Theory]
    [InlineData("""caf\u00e9 \ud800 ok""", "café \uFFFD ok")]
    [InlineData("""\udc00 and \ud83d\ude00""", "\uFFFD and \U0001F600")]
    [InlineData("""end \ud83d""", "end \uFFFD")]
    public async Task A_transcription_with_a_lone_surrogate_is_shown_with_a_replacement_character(string escaped, string shown)
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();

        // As some speech engines send it: an escaped half of a surrogate pair with no other half.
        await session.SendTextAsync($$$"""{"type":"data_stream","streamType":"transcription:en-US","data":{"text":"{{{escaped}}}","isFinal":true}}""");

        DisplayEvent display = await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall);
        Assert.Equal(shown, Assert.IsType<TextWall>(display.Layout).Text);
        Assert.DoesNotContain(harness.Host.Logs.Entries, e => e.Category == "Mentra.Generated.Sessions" && e.EventId == 25);
    }

    [Fact]
    public async Task A_flood_of_bad_frames_logs_a_few_warnings_and_the_count_of_the_rest()
    {
        SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        for (int i = 0; i < 200; i++)
        {
            await session.SendTextAsync("{not json " + i);
        }

        await session.SendTranscriptionAsync("still here");
        Assert.Equal("still here", Assert.IsType<TextWall>((await session.WaitForAsync<DisplayEvent>()).Layout).Text);
        await session.StopAsync();
        await app.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        await harness.DisposeAsync();

        var logs = harness.Host.Logs.Entries.Where(e => e.Category == "Mentra.Generated.Sessions").ToList();
        Assert.Equal(3, logs.Count(e => e.EventId == 25));
        var skipped = Assert.Single(logs, e => e.EventId == 39);
        Assert.Contains("197 more warnings of this kind were not logged: Malformed", skipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_types_and_streams_are_data_not_errors()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<CloudMessage>();
        app.OnMessage<CloudMessage>((m, _) =>
        {
            seen.Enqueue(m);
            return ValueTask.CompletedTask;
        });

        await session.SendTextAsync("""{"type":"request_telemetry","timestamp":1732950000000}""");
        await session.SendTextAsync("""{"type":"data_stream","streamType":"heart_rate","data":{"bpm":70}}""");
        await session.SendTranscriptionAsync("after");

        await session.WaitForAsync<DisplayEvent>();
        Assert.Contains(seen, m => m is UnknownCloudMessage { Type: "request_telemetry" });
        Assert.DoesNotContain(harness.Host.Logs.Entries, e => e.Category == "Mentra.Generated.Sessions" && e.EventId == 25);
    }

    [Fact]
    public async Task Both_spellings_of_a_connection_error_reach_the_handlers_as_one_type()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        app.OnMessage<ConnectionError>((error, _) =>
        {
            errors.Enqueue(error.Code + " " + error.Message);
            return ValueTask.CompletedTask;
        });

        await session.SendTextAsync("""{"type":"connection_error","code":"PERMISSION_DENIED","message":"Camera"}""");
        await session.SendTextAsync("""{"type":"tpa_connection_error","code":"WIFI_NOT_CONNECTED","message":"WiFi"}""");
        await session.SendTranscriptionAsync("after");
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "after" });

        Assert.Equal(["PERMISSION_DENIED Camera", "WIFI_NOT_CONNECTED WiFi"], errors);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_skipped()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(options => options.MaxSessionMessageBytes = 8 * 1024);
        EmulatedSession session = await harness.StartAliceAsync();

        await session.SendTranscriptionAsync(new string('x', 20_000));
        await session.SendTranscriptionAsync("after");

        Assert.Equal("after", Assert.IsType<TextWall>((await session.WaitForAsync<DisplayEvent>()).Layout).Text);
        Assert.Contains(harness.Host.Logs.Entries, e => e.Category == "Mentra.Generated.Sessions" && e.EventId == 24);
        Assert.DoesNotContain(harness.Probe.Heard, h => h.Length > 100);
    }

    [Fact]
    public async Task Audio_without_a_subscription_is_skipped_and_with_one_is_handed_over()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        await session.SendAudioAsync([1, 0, 2, 0]);
        await SessionHarness.Eventually(() => harness.Host.Logs.Entries.Any(e => e.Category == "Mentra.Generated.Sessions" && e.EventId == 26), "the unexpected audio was logged");

        var chunks = new System.Collections.Concurrent.ConcurrentQueue<byte[]>();
        using IDisposable audio = app.OnAudioChunk((pcm, _) =>
        {
            chunks.Enqueue(pcm.ToArray());
            return ValueTask.CompletedTask;
        });
        await SessionHarness.Eventually(() => session.Subscriptions.Any(s => s.Stream == "audio_chunk"), "audio_chunk was subscribed");
        await session.SendAudioAsync([3, 0, 4, 0, 5, 0]);

        await SessionHarness.Eventually(() => chunks.Count == 1, "the chunk reached the handler");
        Assert.Equal(new byte[] { 3, 0, 4, 0, 5, 0 }, chunks.Single());
    }

    [Fact]
    public async Task An_audio_handler_still_running_keeps_its_chunk_while_the_socket_reads_on()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var chunks = new System.Collections.Concurrent.ConcurrentQueue<byte[]>();
        using IDisposable audio = app.OnAudioChunk(async (pcm, _) =>
        {
            if (pcm.Span[0] == 1)
            {
                await gate.Task; // the first chunk's handler waits while later frames arrive and are read
            }

            chunks.Enqueue(pcm.ToArray());
        });
        await SessionHarness.Eventually(() => session.Subscriptions.Any(s => s.Stream == "audio_chunk"), "audio_chunk was subscribed");

        await session.SendAudioAsync([1, 1, 1, 1, 1, 1]);
        await session.SendAudioAsync([2, 2, 2, 2]);
        await session.SendTranscriptionAsync("after the audio");
        await Task.Delay(200); // the socket has read the later frames into its buffer by now
        gate.SetResult();

        await SessionHarness.Eventually(() => chunks.Count == 2, "both chunks reached the handler");
        Assert.Equal([new byte[] { 1, 1, 1, 1, 1, 1 }, [2, 2, 2, 2]], chunks.ToArray());
        await SessionHarness.Eventually(() => harness.Probe.Heard.Contains("after the audio"), "the transcription came after them, in order");
    }

    [Fact]
    public async Task Run_time_subscriptions_send_the_whole_set_each_time()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        IDisposable location = app.Subscribe(new LocationStreamSubscription { Stream = "location_stream", Rate = LocationAccuracy.High });
        IDisposable settings = app.Subscribe("augmentos:metricSystemEnabled");
        await SessionHarness.Eventually(() => session.Subscriptions.Count == 4, "four subscriptions");
        Assert.Equal(LocationAccuracy.High, session.Subscriptions.Single(s => s.Location is not null).Location!.Rate);
        location.Dispose();
        settings.Dispose();
        await SessionHarness.Eventually(() => session.Subscriptions.Count == 2, "back to two");

        Assert.Null(session.InvalidJson);
        Assert.DoesNotContain(session.Received, m => m is UnknownAppMessage);
    }

    [Fact]
    public async Task Audio_play_waits_for_its_response_and_a_location_poll_for_its_answer()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        AudioPlayResponse played = await app.PlayAudioAsync("https://example.com/a.mp3").WaitAsync(TimeSpan.FromSeconds(5));
        LocationUpdate location = await app.PollLocationAsync(LocationAccuracy.High).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(played.Success);
        Assert.Equal(1200, played.Duration);
        Assert.Equal(48.8584, location.Lat);
        Assert.StartsWith("poll_", location.CorrelationId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audio_alongside_does_not_wait_for_an_answer_and_audio_in_place_waits_for_one()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(
            configure: null,
            emulator: host => new EmulatorOptions { AppUrl = host, PackageName = "org.example.tests", ApiKey = SessionHarness.ApiKey, AnswerAudio = false });
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        // A cloud that never answers: the call that does not wait returns once sent, well within the 60 s a wait would take.
        string id = await app.PlayAudioAlongsideAsync("https://example.com/chime.mp3", volume: 0.5).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        AudioPlayRequest sent = await session.WaitForAsync<AudioPlayRequest>();
        TimeoutException waited = await Assert.ThrowsAsync<TimeoutException>(() => app.PlayAudioAsync("https://example.com/a.mp3", timeout: TimeSpan.FromMilliseconds(200)));

        Assert.Equal(id, sent.RequestId);
        Assert.False(sent.StopOtherAudio);
        Assert.Equal(0.5, sent.Volume);
        Assert.Contains("audio_play_response", waited.Message, StringComparison.Ordinal);
        Assert.True((await session.WaitForAsync<AudioPlayRequest>()).StopOtherAudio);
    }

    [Fact]
    public async Task A_setting_change_is_notified_once_with_old_and_new_values()
    {
        await using SessionHarness harness = await SessionHarness.StartWithSettingsAsync(SessionHarness.Setting("show_interim", "false"));
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);
        var changes = new System.Collections.Concurrent.ConcurrentQueue<string>();
        app.OnSettingChanged("show_interim", (now, old, _) =>
        {
            changes.Enqueue(old?.GetRawText() + " -> " + now?.GetRawText());
            return ValueTask.CompletedTask;
        });
        Assert.False(app.SettingBoolean("show_interim"));
        var update = new SettingsUpdate { Settings = [SessionHarness.Setting("show_interim", "true")] };

        await session.SendAsync(update);
        await session.SendAsync(update); // the cloud sends each change twice (socket and HTTP); the second changes nothing
        await session.SendTranscriptionAsync("after");
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "after" });

        Assert.True(app.SettingBoolean("show_interim"));
        Assert.True(app.Setting("show_interim", Mentra.Generated.Tests.Sessions.TestJson.Default.Boolean));
        Assert.Null(app.SettingString("show_interim"));
        Assert.Equal(["false -> true"], changes);
    }
}

/// <summary>The tests' own System.Text.Json context, for typed settings.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
[System.Text.Json.Serialization.JsonSerializable(typeof(CaptionSettings))]
internal sealed partial class TestJson : System.Text.Json.Serialization.JsonSerializerContext;
