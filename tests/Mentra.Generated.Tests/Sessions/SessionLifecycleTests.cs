using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>The session lifecycle over real sockets on 127.0.0.1, against the cloud emulator.</summary>
public sealed class SessionLifecycleTests
{
    [Fact]
    public async Task Connects_acks_subscribes_and_echoes_a_transcription()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();

        EmulatedSession session = await harness.StartAliceAsync();

        Assert.Equal(1, session.Connections);
        Assert.Equal(["transcription:en-US", "button_press"], session.Subscriptions.Select(s => s.ToString()));
        Assert.Equal(1, await harness.Cloud.PollHealthAsync());
        Assert.Equal(["session alice@example.com-org.example.tests"], harness.Probe.Calls);

        await session.SendTranscriptionAsync("hello glasses");
        DisplayEvent display = await session.WaitForAsync<DisplayEvent>();
        Assert.Equal("hello glasses", Assert.IsType<TextWall>(display.Layout).Text);
        Assert.Equal("alice@example.com-org.example.tests", display.SessionId);
        Assert.Equal("org.example.tests", display.PackageName);
        Assert.Equal(DisplayView.Main, display.View);

        AppSession app = Assert.Single(harness.Probe.Sessions);
        Assert.Equal(AppSessionState.Connected, app.State);
        Assert.Equal("Even Realities G1", app.Capabilities!.ModelName);
        Assert.Equal("Europe/Paris", app.SystemSettings.UserTimezone);
        Assert.Equal(80, app.DeviceState.BatteryLevel);
    }

    [Fact]
    public async Task Init_carries_the_session_id_package_and_key()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();

        await harness.StartAliceAsync();

        ConnectionInit init = Assert.Single(harness.Cloud.Inits);
        Assert.Equal("alice@example.com-org.example.tests", init.SessionId);
        Assert.Equal("org.example.tests", init.PackageName);
        Assert.Equal(SessionHarness.ApiKey, init.ApiKey);
        Assert.Null(init.SdkVersion);
    }

    [Fact]
    public async Task No_ack_in_time_answers_the_webhook_502_and_holds_nothing()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(
            options => options.SessionAckTimeout = TimeSpan.FromMilliseconds(500),
            host => new EmulatorOptions { AppUrl = host, PackageName = "org.example.tests", ApiKey = SessionHarness.ApiKey, WithholdAck = true });

        (WebhookResult answer, _) = await harness.Cloud.StartSessionAsync("alice@example.com");

        Assert.Equal(502, answer.Status);
        Assert.Contains("did not acknowledge the session within 0.5 s", answer.Body, StringComparison.Ordinal);
        Assert.Equal(0, await harness.Cloud.PollHealthAsync());
        Assert.Null(harness.Manager.Find("alice@example.com-org.example.tests"));
    }

    [Fact]
    public async Task A_wrong_key_reaches_the_app_with_code_and_message_and_is_not_retried()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(cloudKey: "another-key");

        (WebhookResult answer, _) = await harness.Cloud.StartSessionAsync("alice@example.com");

        Assert.Equal(502, answer.Status);
        Assert.Contains("INVALID_API_KEY (Invalid API key)", answer.Body, StringComparison.Ordinal);
        // The refusal ended the session (its end handler ran): nothing is left that could try again.
        await SessionHarness.Eventually(() => !harness.Probe.Ends.IsEmpty, "the session ended");
        Assert.Single(harness.Cloud.Inits);
        Assert.Equal(0, await harness.Cloud.PollHealthAsync());
        Assert.Equal(1, harness.Probe.Stops);
        Assert.Contains(harness.Host.Logs.Entries, e => e.Category == "Mentra.Generated.Sessions" && e.EventId == 33 && e.Message.Contains("INVALID_API_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_init_after_the_start_timeout_is_refused_app_not_started()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(
            host => { },
            host => new EmulatorOptions { AppUrl = host, PackageName = "org.example.tests", ApiKey = SessionHarness.ApiKey, StartTimeout = TimeSpan.Zero });

        (WebhookResult answer, _) = await harness.Cloud.StartSessionAsync("alice@example.com");

        Assert.Equal(502, answer.Status);
        Assert.Contains("APP_NOT_STARTED (App not started for this session)", answer.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app_stopped")]
    [InlineData("user_session_ended")]
    [InlineData("1001")]
    [InlineData("1008")]
    public async Task A_terminal_close_ends_the_session_and_runs_the_stop_handler_once(string how)
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        switch (how)
        {
            case "app_stopped":
                await session.SendAsync(new AppStopped());
                await session.CloseAsync(WebSocketCloseStatus.NormalClosure, "App stopped");
                break;
            case "user_session_ended":
                await session.EndUserSessionAsync();
                break;
            case "1001":
                await session.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "Going away");
                break;
            default:
                await session.SendAsync(new ConnectionError { Code = ConnectionErrorCode.InternalError, Message = "Glasses not connected" });
                await session.CloseAsync(WebSocketCloseStatus.PolicyViolation, "Glasses not connected");
                break;
        }

        AppSessionEnd end = await app.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        await SessionHarness.Eventually(() => harness.Probe.Stops == 1, "the stop handler ran");
        await Task.Delay(300);
        Assert.Equal(1, harness.Probe.Stops);
        Assert.Single(harness.Cloud.Inits);
        Assert.Equal(0, await harness.Cloud.PollHealthAsync());
        Assert.Equal(AppSessionState.Ended, app.State);
        if (how == "1008")
        {
            Assert.Equal(1008, end.CloseStatus);
            Assert.Equal(ConnectionErrorCode.InternalError, end.Error!.Code);
            Assert.Equal("Glasses not connected", end.Error.Message);
        }

        var error = await Assert.ThrowsAsync<AppSessionEndedException>(async () => await app.ShowTextWallAsync("too late"));
        Assert.Equal("alice@example.com-org.example.tests", error.SessionId);
    }

    [Fact]
    public async Task The_clouds_pings_are_answered_so_a_cloud_that_checks_pongs_keeps_the_session()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: app => new EmulatorOptions
        {
            AppUrl = app,
            PackageName = "org.example.tests",
            ApiKey = SessionHarness.ApiKey,
            PingInterval = TimeSpan.FromMilliseconds(100),
            PongTimeout = TimeSpan.FromSeconds(1),
        });
        EmulatedSession session = await harness.StartAliceAsync();

        await Task.Delay(2500); // about twenty pings; a missing pong would drop the socket after 1 s

        Assert.Equal(1, session.Connections);
        await session.SendTranscriptionAsync("still here");
        Assert.Equal("still here", Assert.IsType<TextWall>((await session.WaitForAsync<DisplayEvent>()).Layout).Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_abnormal_close_reconnects_with_the_same_init_and_subscriptions(bool internalError)
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        if (internalError)
        {
            await session.CloseAsync(WebSocketCloseStatus.InternalServerError, "Internal server error");
        }
        else
        {
            session.Drop();
        }

        await SessionHarness.Eventually(() => session.Connections == 2 && session.Received.OfType<SubscriptionUpdate>().Count() == 2 && app.State == AppSessionState.Connected, "reconnected and subscribed again");
        ConnectionInit[] inits = [.. harness.Cloud.Inits];
        Assert.Equal(2, inits.Length);
        Assert.Equal(inits[0] with { Timestamp = null }, inits[1] with { Timestamp = null });
        Assert.Equal(2, session.Received.OfType<SubscriptionUpdate>().Count());
        Assert.Equal(0, harness.Probe.Stops);
        Assert.Equal(1, await harness.Cloud.PollHealthAsync());

        await session.SendTranscriptionAsync("still here");
        Assert.Equal("still here", Assert.IsType<TextWall>((await session.WaitForAsync<DisplayEvent>()).Layout).Text);
    }

    [Fact]
    public async Task Reconnects_that_all_fail_end_the_session_once()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        await harness.Cloud.DisposeAsync(); // the cloud is gone: every attempt fails to open
        AppSessionEnd end = await app.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("Connection lost", end.Reason);
        await SessionHarness.Eventually(() => harness.Probe.Stops == 1, "the stop handler ran");
        Assert.Contains(harness.Probe.Calls, c => c == "stop alice@example.com-org.example.tests error");
    }

    [Fact]
    public async Task A_stop_runs_the_stop_handler_exactly_once()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();

        WebhookResult answer = await session.StopAsync();

        Assert.Equal(200, answer.Status);
        await Task.Delay(300);
        Assert.Equal(["stop alice@example.com-org.example.tests user_disabled"], harness.Probe.Calls.Where(c => c.StartsWith("stop", StringComparison.Ordinal)));
        Assert.Equal(0, await harness.Cloud.PollHealthAsync());
    }

    [Fact]
    public async Task A_stop_webhook_after_the_socket_stop_does_not_run_the_handler_again()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        await session.SendAsync(new AppStopped());
        await session.CloseAsync(WebSocketCloseStatus.NormalClosure, "App stopped");
        await app.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        await SessionHarness.Eventually(() => harness.Probe.Stops == 1, "the stop handler ran");
        WebhookResult late = await harness.Cloud.SendStopRequestAsync(session.SessionId);

        Assert.Equal(200, late.Status);
        Assert.Equal(1, harness.Probe.Stops);
    }

    [Fact]
    public async Task A_duplicate_session_request_takes_over()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession first = Assert.Single(harness.Probe.Sessions);

        (WebhookResult again, EmulatedSession same) = await harness.Cloud.StartSessionAsync("alice@example.com");

        Assert.Equal(200, again.Status);
        await SessionHarness.Eventually(() => session.Released is not null && harness.Probe.Sessions.Count == 2, "the old socket's ownership_release was read, the new session connected");
        Assert.Equal(OwnershipReleaseReason.SwitchingClouds, session.Released);
        Assert.Equal(AppSessionState.Ended, first.State);
        Assert.Equal(2, harness.Probe.Sessions.Count);
        Assert.Equal(AppSessionState.Connected, harness.Probe.Sessions.Last().State);
        Assert.Equal(0, harness.Probe.Stops);
        Assert.Equal(1, await harness.Cloud.PollHealthAsync());
        await SessionHarness.Eventually(() => same.Subscriptions.Count == 2, "the new socket subscribed");
        await SessionHarness.Eventually(() => harness.Cloud.OpenSockets == 1, "only the new socket is open");
        await same.SendTranscriptionAsync("moved");
        Assert.Equal("moved", Assert.IsType<TextWall>((await same.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "moved" })).Layout).Text);
    }

    [Fact]
    public async Task A_forged_url_is_never_connected_to_and_the_key_never_sent()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<TcpClient> accepted = listener.AcceptTcpClientAsync();
        try
        {
            await using SessionHarness harness = await SessionHarness.StartAsync(options => options.AllowInsecureLoopbackWebSocket = false);

            (WebhookResult answer, _) = await harness.Cloud.StartSessionAsync("alice@example.com", new Uri($"ws://127.0.0.1:{port}/app-ws"));

            Assert.Equal(400, answer.Status);
            Assert.Contains("Untrusted WebSocket URL", answer.Body, StringComparison.Ordinal);
            await Task.Delay(300);
            Assert.False(accepted.IsCompleted, "the forged address got a connection");
            Assert.Empty(harness.Probe.Calls);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Host_shutdown_closes_without_ownership_release_or_stop_handler()
    {
        SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();

        await harness.Host.DisposeAsync();
        (int? status, string? reason) = await session.Closed.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1000, status);
        Assert.Equal("Host stopping", reason);
        Assert.Null(session.Released);
        Assert.Equal(0, harness.Probe.Stops);
        await harness.Cloud.DisposeAsync();
    }

    [Fact]
    public async Task A_throwing_handler_leaves_the_session_up_and_order_is_kept()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();

        await session.SendTranscriptionAsync("one");
        await session.SendTranscriptionAsync("throw");
        await session.SendButtonPressAsync(PressType.Long);
        await session.SendTranscriptionAsync("two");

        DisplayEvent first = await session.WaitForAsync<DisplayEvent>();
        DisplayEvent second = await session.WaitForAsync<DisplayEvent>();
        Assert.Equal("one", Assert.IsType<TextWall>(first.Layout).Text);
        Assert.Equal("two", Assert.IsType<TextWall>(second.Layout).Text);
        Assert.Equal(["one", "throw", "press long", "two"], harness.Probe.Heard);
        Assert.Contains(harness.Host.Logs.Entries, e => e.Category == "Mentra.Generated.Sessions" && e.EventId == 30 && e.Exception?.Message == "a handler failed");
        Assert.Equal(AppSessionState.Connected, Assert.Single(harness.Probe.Sessions).State);
    }

    [Fact]
    public async Task A_handler_that_waits_keeps_later_messages_in_order_and_still_gets_its_response()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();

        foreach (string text in new[] { "slow", "one", "play", "two" })
        {
            await session.SendTranscriptionAsync(text);
        }

        var shown = new System.Collections.Generic.List<string>();
        for (int i = 0; i < 4; i++)
        {
            shown.Add(Assert.IsType<TextWall>((await session.WaitForAsync<DisplayEvent>()).Layout).Text);
        }

        Assert.Equal(["slow", "one", "played", "two"], shown);
    }

    [Fact]
    public async Task A_session_the_cloud_lost_is_resurrected_after_the_grace_period_and_stops_once()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(
            host => { },
            host => new EmulatorOptions { AppUrl = host, PackageName = "org.example.tests", ApiKey = SessionHarness.ApiKey, AcceptReconnects = false, GracePeriod = TimeSpan.FromMilliseconds(600) });
        EmulatedSession first = await harness.StartAliceAsync();
        AppSession lost = Assert.Single(harness.Probe.Sessions);

        first.Drop();
        AppSessionEnd end = await lost.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        await SessionHarness.Eventually(() => harness.Cloud.Session(first.SessionId) is { Connections: 1 } again && !ReferenceEquals(again, first) && harness.Probe.Sessions.Count == 2, "the cloud resurrected the session");

        Assert.Equal("The cloud refused the reconnect", end.Reason);
        Assert.Equal(ConnectionErrorCode.SessionNotFound, end.Error!.Code);
        Assert.Equal(1, harness.Probe.Stops); // the resurrection's stop webhook came after the socket's stop: not run again
        Assert.Equal(AppSessionState.Connected, harness.Probe.Sessions.Last().State);
        Assert.Equal(1, await harness.Cloud.PollHealthAsync());
    }
}
