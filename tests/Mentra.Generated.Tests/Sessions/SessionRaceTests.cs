using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>
/// A session's start, stop and takeover when the cloud's calls overlap, over real sockets against the cloud emulator:
/// whatever the timing, one id has one live socket, every session whose <c>[OnSession]</c> ran gets exactly one end,
/// and every app instance made is disposed.
/// </summary>
public sealed class SessionRaceTests
{
    private const string Alice = "alice@example.com-org.example.tests";

    private static EmulatorOptions Cloud(Uri app, TimeSpan ackDelay = default, bool withholdAck = false, string apiKey = SessionHarness.ApiKey) =>
        new() { AppUrl = app, PackageName = "org.example.tests", ApiKey = apiKey, AckDelay = ackDelay, WithholdAck = withholdAck };

    /// <summary>Waits until the app has ended and disposed everything it made, then checks that it did so exactly once.</summary>
    private static async Task AssertOneEndAndAllDisposedAsync(SessionHarness harness)
    {
        SessionProbe probe = harness.Probe;
        await SessionHarness.Eventually(() => probe.Stops >= 1 && probe.Ends.Count >= 1 && probe.Created == probe.Disposed, $"one stop, one end and every instance disposed (stops {probe.Stops}, ends {probe.Ends.Count}, {probe.Created} created, {probe.Disposed} disposed)");
        await harness.DisposeAsync(); // the host's stop waits for whatever is still running
        Assert.Equal(1, probe.Stops);
        Assert.Single(probe.Ends);
        Assert.Equal(probe.Created, probe.Disposed);
    }

    [Fact]
    public async Task A_refused_start_ends_the_session_once_with_the_clouds_code_and_disposes_the_app()
    {
        SessionHarness harness = await SessionHarness.StartAsync(cloudKey: "another-key");

        (WebhookResult answer, _) = await harness.Cloud.StartSessionAsync("alice@example.com");

        Assert.Equal(502, answer.Status);
        await AssertOneEndAndAllDisposedAsync(harness);
        AppSessionEnd end = Assert.Single(harness.Probe.Ends);
        Assert.Equal(ConnectionErrorCode.InvalidApiKey, end.Error?.Code);
        Assert.Contains("INVALID_API_KEY", end.Reason, StringComparison.Ordinal);
        Assert.Contains("stop " + Alice + " error", harness.Probe.Calls);
    }

    [Fact]
    public async Task A_start_never_acked_ends_the_session_once_and_disposes_the_app()
    {
        SessionHarness harness = await SessionHarness.StartAsync(
            options => options.SessionAckTimeout = TimeSpan.FromMilliseconds(400),
            host => Cloud(host, withholdAck: true));

        (WebhookResult answer, _) = await harness.Cloud.StartSessionAsync("alice@example.com");

        Assert.Equal(502, answer.Status);
        await AssertOneEndAndAllDisposedAsync(harness);
        AppSessionEnd end = Assert.Single(harness.Probe.Ends);
        Assert.Contains("did not acknowledge", end.Reason, StringComparison.Ordinal);
        Assert.Contains("stop " + Alice + " error", harness.Probe.Calls);
    }

    [Fact]
    public async Task A_stop_while_the_first_ack_is_held_ends_the_session_once_and_leaves_no_socket()
    {
        SessionHarness harness = await SessionHarness.StartAsync(configure: null, emulator: host => Cloud(host, ackDelay: TimeSpan.FromMilliseconds(1500)));

        Task<(WebhookResult Answer, EmulatedSession Session)> start = harness.Cloud.StartSessionAsync("alice@example.com");
        await SessionHarness.Eventually(() => harness.Cloud.Inits.Count == 1, "the app sent its init");
        WebhookResult stopped = await harness.Cloud.SendStopRequestAsync(Alice);
        (WebhookResult answer, EmulatedSession session) = await start;

        Assert.Equal(200, stopped.Status);
        Assert.NotEqual(200, answer.Status);
        Assert.Contains("stopped", answer.Body, StringComparison.Ordinal);
        await SessionHarness.Eventually(() => harness.Cloud.OpenSockets == 0, "the app closed the socket the cloud acked after the stop");
        Assert.Null(harness.Manager.Find(Alice));
        Assert.Equal(0, await harness.Cloud.PollHealthAsync());
        await AssertOneEndAndAllDisposedAsync(harness);
        Assert.Equal(["stop " + Alice + " user_disabled"], harness.Probe.Calls.Where(c => c.StartsWith("stop", StringComparison.Ordinal)));
        Assert.Equal(1, session.Connections);
    }

    [Fact]
    public async Task A_stop_while_a_reconnects_ack_is_held_ends_the_session_and_closes_the_new_socket()
    {
        SessionHarness harness = await SessionHarness.StartAsync(configure: null, emulator: host => Cloud(host, ackDelay: TimeSpan.FromMilliseconds(800)));
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        session.Drop();
        await SessionHarness.Eventually(() => harness.Cloud.Inits.Count == 2, "the app sent the reconnect's init");
        WebhookResult stopped = await harness.Cloud.SendStopRequestAsync(Alice);
        AppSessionEnd end = await app.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(200, stopped.Status);
        Assert.Equal("Stop webhook", end.Reason);
        await SessionHarness.Eventually(() => harness.Cloud.OpenSockets == 0, "the app closed the socket the cloud acked after the stop");
        Assert.Equal(AppSessionState.Ended, app.State);
        Assert.Equal(0, await harness.Cloud.PollHealthAsync());
        await AssertOneEndAndAllDisposedAsync(harness);
        Assert.Equal(2, harness.Cloud.Inits.Count);
    }

    [Fact]
    public async Task Two_stops_for_a_session_never_started_run_the_stop_handler_once()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();

        WebhookResult first = await harness.Cloud.SendStopRequestAsync(Alice);
        WebhookResult second = await harness.Cloud.SendStopRequestAsync(Alice);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal(1, harness.Probe.Stops);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Concurrent_duplicate_requests_for_one_id_leave_one_live_socket(int requests)
    {
        SessionHarness harness = await SessionHarness.StartAsync(configure: null, emulator: host => Cloud(host, ackDelay: TimeSpan.FromMilliseconds(200)));

        (WebhookResult Answer, EmulatedSession Session)[] answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => harness.Cloud.StartSessionAsync("alice@example.com")));

        Assert.All(answers, a => Assert.Equal(200, a.Answer.Status));
        Assert.Equal(1, harness.Cloud.OpenSockets);
        Assert.Equal(1, await harness.Cloud.PollHealthAsync());
        EmulatedSession session = harness.Cloud.Session(Alice)!;
        Assert.Equal(200, (await session.StopAsync()).Status);
        await SessionHarness.Eventually(() => harness.Cloud.OpenSockets == 0, "the one socket closed after the stop");
        Assert.Equal(0, await harness.Cloud.PollHealthAsync());
        await SessionHarness.Eventually(() => harness.Probe.Created == harness.Probe.Disposed, "every instance disposed");
        await harness.DisposeAsync();
        Assert.Equal(1, harness.Probe.Stops);
        Assert.Equal(0, harness.Cloud.OpenSockets);
        Assert.Equal(harness.Probe.Created, harness.Probe.Disposed);
    }

    [Fact]
    public async Task A_duplicate_whose_connect_fails_leaves_the_live_session_alone()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession live = Assert.Single(harness.Probe.Sessions);

        // A forged duplicate: the same (predictable) id, a socket that cannot be opened.
        HttpResponseMessage forged = await harness.Host.PostAsync(SessionRequest(new Uri("ws://127.0.0.1:1/app-ws")));

        Assert.Equal(502, (int)forged.StatusCode);
        Assert.Null(session.Released);
        Assert.Equal(AppSessionState.Connected, live.State);
        Assert.Same(live, harness.Manager.Find(Alice));
        Assert.Equal(1, await harness.Cloud.PollHealthAsync());
        Assert.Equal(0, harness.Probe.Stops);
        await SessionHarness.Eventually(() => harness.Probe.Created - harness.Probe.Disposed == 1, "only the live session's instance is left");
        await session.SendTranscriptionAsync("still here");
        Assert.Equal("still here", Assert.IsType<TextWall>((await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "still here" })).Layout).Text);
        Assert.Equal(1, harness.Cloud.OpenSockets);
    }

    [Fact]
    public async Task Reconnect_attempts_that_hang_end_within_the_clouds_grace_period()
    {
        var drop = new System.Diagnostics.Stopwatch();
        var attempts = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
        int opened = 0;
        SessionHarness harness = await SessionHarness.StartAsync(
            connect: real => async (url, cancellationToken) =>
            {
                if (Interlocked.Increment(ref opened) == 1)
                {
                    return await real(url, cancellationToken);
                }

                attempts.Enqueue(drop.Elapsed); // a cloud that accepts the connection and never answers
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new InvalidOperationException("unreachable");
            },
            reconnectGrace: TimeSpan.FromSeconds(1));
        await using (harness)
        {
            EmulatedSession session = await harness.StartAliceAsync();
            AppSession app = Assert.Single(harness.Probe.Sessions);

            drop.Start();
            session.Drop();
            AppSessionEnd end = await app.Completion.WaitAsync(TimeSpan.FromSeconds(10));
            TimeSpan ended = drop.Elapsed;

            Assert.Equal("Connection lost", end.Reason);
            Assert.NotEmpty(attempts);
            Assert.All(attempts, started => Assert.True(started < TimeSpan.FromSeconds(1), $"an attempt started {started.TotalMilliseconds:0} ms after the drop, past the 1 s grace"));
            // The ack timeout is 2 s: without the grace's bound the first attempt alone would last past it.
            Assert.True(ended < TimeSpan.FromSeconds(1.6), $"the session ended {ended.TotalMilliseconds:0} ms after the drop; the grace is 1 s");
        }
    }

    [Fact]
    public async Task A_session_that_ends_with_a_full_handler_queue_says_so_in_one_line()
    {
        SessionHarness harness = await SessionHarness.StartAsync(queueLength: 8);
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);
        await session.SendTranscriptionAsync("block");
        await SessionHarness.Eventually(() => harness.Probe.Heard.Contains("block"), "the handler runs and blocks");
        for (int i = 0; i < 30; i++)
        {
            await session.SendTranscriptionAsync("queued " + i);
        }

        await SessionHarness.Eventually(() => harness.Host.Logs.Entries.Any(e => e.EventId == 27), "the queue is full and reading waits");
        Assert.Equal(200, (await session.StopAsync()).Status);
        await app.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        await harness.DisposeAsync();

        var sessionLogs = harness.Host.Logs.Entries.Where(e => e.Category == "Mentra.Generated.Sessions").ToList();
        Assert.DoesNotContain(sessionLogs, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        var dropped = Assert.Single(sessionLogs, e => e.EventId == 37);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, dropped.Level);
        // The queue of 8 was full: 8 messages, or 7 behind the blocked handler when the worker had not yet taken it.
        int count = int.Parse(System.Text.RegularExpressions.Regex.Match(dropped.Message, "ended with ([0-9]+) messages").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(count, 7, 30);
        Assert.Equal(["block"], harness.Probe.Heard);

        // The end waits for the running handler: it stops, the rest is dropped, and only then do the end handlers run.
        int stopped = sessionLogs.FindIndex(e => e.EventId == 38), said = sessionLogs.FindIndex(e => e.EventId == 37), ended = sessionLogs.FindIndex(e => e.EventId == 34);
        Assert.True(stopped >= 0 && stopped < said && said < ended, $"handler stopped at {stopped}, drop said at {said}, session ended at {ended}");
    }

    [Fact]
    public async Task A_drop_and_its_reconnect_reach_the_handlers_without_ending_the_session()
    {
        int opened = 0;
        await using SessionHarness harness = await SessionHarness.StartAsync(
            connect: real => async (url, cancellationToken) =>
                Interlocked.Increment(ref opened) == 2 ? throw new System.Net.WebSockets.WebSocketException("refused once") : await real(url, cancellationToken));
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        await session.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.InternalServerError, "Internal server error");
        await session.Connected.WaitAsync(TimeSpan.FromSeconds(5));
        await SessionHarness.Eventually(() => harness.Probe.Connection.Count(c => c == "connected") == 2, "the connected handler ran after the reconnect's ack");

        Assert.Equal(
            ["connected", "disconnected 1011 Internal server error", "reconnecting 1 50 ms first", "reconnecting 2 100 ms The WebSocket could not be opened: refused once", "reconnected 2", "connected"],
            harness.Probe.Connection);
        Assert.Empty(harness.Probe.Ends);
        Assert.Equal(0, harness.Probe.Stops);
        Assert.Equal(AppSessionState.Connected, app.State);
        await session.SendTranscriptionAsync("back");
        Assert.Equal("back", Assert.IsType<TextWall>((await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "back" })).Layout).Text);
    }

    [Fact]
    public async Task After_every_ack_the_subscriptions_go_out_before_anything_a_connected_handler_sends()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(configure: null, emulator: host => Cloud(host, ackDelay: TimeSpan.FromMilliseconds(50)));
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);
        app.OnConnected((s, cancellationToken) => s.ShowTextWallAsync("welcome back", cancellationToken: cancellationToken));

        session.Drop();
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "welcome back" });

        // What the app sent on the new socket, from its init on: the subscriptions first, then the handler's display.
        var afterReconnect = session.Received.SkipWhile(m => m is not SubscriptionUpdate).Skip(1).SkipWhile(m => m is not SubscriptionUpdate).ToList();
        Assert.IsType<SubscriptionUpdate>(afterReconnect[0]);
        Assert.IsType<DisplayEvent>(afterReconnect[1]);
        Assert.Equal(2, session.Connections);
    }

    [Fact]
    public async Task On_the_first_connect_the_subscriptions_go_out_before_the_connected_handlers_greeting()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync<WelcomeApp>();

        for (int i = 0; i < 10; i++)
        {
            (WebhookResult answer, EmulatedSession session) = await harness.Cloud.StartSessionAsync($"user{i}@example.com");
            Assert.Equal(200, answer.Status);
            await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "welcome" });
            Assert.Equal([typeof(SubscriptionUpdate), typeof(DisplayEvent)], session.Received.Take(2).Select(m => m.GetType()));
        }
    }

    [Fact]
    public async Task A_connection_handler_registered_at_run_time_is_removed_by_disposing_its_registration()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);
        int connected = 0, disconnected = 0;
        IDisposable onConnected = app.OnConnected((_, _) => { Interlocked.Increment(ref connected); return ValueTask.CompletedTask; });
        IDisposable onDisconnected = app.OnDisconnected((_, _, _) => { Interlocked.Increment(ref disconnected); return ValueTask.CompletedTask; });

        session.Drop();
        await SessionHarness.Eventually(() => Volatile.Read(ref connected) == 1, "the run-time handler ran after the reconnect");
        onConnected.Dispose();
        onDisconnected.Dispose();
        onConnected.Dispose(); // twice is harmless
        session.Drop();
        await SessionHarness.Eventually(() => harness.Probe.Connection.Count(c => c == "connected") == 3, "the app's own handler ran after the second reconnect");

        Assert.Equal(1, Volatile.Read(ref connected));
        Assert.Equal(1, Volatile.Read(ref disconnected));
    }

    private static string SessionRequest(Uri webSocketUrl) =>
        $$"""{"type":"session_request","sessionId":"{{Alice}}","userId":"alice@example.com","timestamp":"2026-12-02T10:00:00.000Z","mentraOSWebsocketUrl":"{{webSocketUrl}}"}""";
}

/// <summary>An app whose connected handler greets the wearer at once, as the template's does.</summary>
[MentraApp]
public partial class WelcomeApp
{
    [OnSession]
    public void Start()
    {
    }

    [OnStop]
    public void Stop()
    {
    }

    [OnConnected]
    public ValueTask Welcome(AppSession session, CancellationToken cancellationToken) => session.ShowTextWallAsync("welcome", cancellationToken: cancellationToken);

    [OnButtonPress]
    public void Press()
    {
    }
}
