using System;
using System.Linq;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Tests.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.ScaleOut;

/// <summary>
/// Several replicas behind a load balancer that is not sticky, sharing their sessions through a real redis-server, with
/// the emulator as the cloud: each of the cloud's calls reaches the replica that holds its session.
/// </summary>
public sealed class ScaleOutTests
{
    private const string Sid = Cluster.SessionId;

    [Fact]
    public async Task A_stop_on_another_replica_reaches_the_owner_which_closes_the_socket_and_runs_the_stop_handler_once()
    {
        await using Cluster cluster = await Cluster.StartAsync(2);
        EmulatedSession session = await cluster.StartAliceOnAsync(0);
        Assert.Equal(1, await cluster[1].HealthAsync()); // the cluster's count, on the replica without the session

        cluster.RouteAllTo(1);
        WebhookResult stop = await cluster.Cloud.SendStopRequestAsync(Sid);

        Assert.Equal(200, stop.Status);
        (int? status, _) = await session.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1000, status);
        Assert.Equal(1, cluster[0].Stops);
        Assert.Equal(0, cluster[1].Stops);
        Assert.Null(cluster[0].Manager.Find(Sid));
        await cluster.WaitAsync(async () => await cluster[1].HealthAsync() == 0 && await cluster[0].HealthAsync() == 0, "both replicas count no session");
    }

    [Fact]
    public async Task A_duplicate_session_request_on_another_replica_takes_the_session_over_and_the_old_owner_releases_it()
    {
        await using Cluster cluster = await Cluster.StartAsync(2);
        EmulatedSession first = await cluster.StartAliceOnAsync(0);

        EmulatedSession second = await cluster.StartAliceOnAsync(1);

        await first.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(OwnershipReleaseReason.SwitchingClouds, first.Released);
        Assert.True(second.IsOpen);
        Assert.Null(cluster[0].Manager.Find(Sid));
        Assert.NotNull(cluster[1].Manager.Find(Sid));
        Assert.Equal(0, cluster[0].Stops + cluster[1].Stops); // the session goes on, in the new socket
        Assert.Equal(1, await cluster[0].HealthAsync());
        Assert.Equal(1, await cluster[1].HealthAsync());

        // The new owner's lease stands: a stop that lands on the old owner reaches it.
        cluster.RouteAllTo(0);
        Assert.Equal(200, (await cluster.Cloud.SendStopRequestAsync(Sid)).Status);
        await second.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, cluster[1].Stops);
        Assert.Equal(0, cluster[0].Stops);
    }

    [Fact]
    public async Task A_photo_uploaded_to_a_replica_that_did_not_ask_reaches_the_session_that_asked()
    {
        await using Cluster cluster = await Cluster.StartAsync(2);
        EmulatedSession session = await cluster.StartAliceOnAsync(0);
        cluster.Cloud.Route = path => path == "/photo-upload" ? 1 : 0;

        await session.SendTranscriptionAsync("photo");

        DisplayEvent shown = await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: var text } && text.StartsWith("photo ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Equal($"photo {DefaultGlasses.Photo.Length} bytes image/png", ((TextWall)shown.Layout).Text);
        await SessionHarness.Eventually(() => cluster.Cloud.PhotoUploads.Count > 0, "the emulator has the upload's answer"); // recorded after the answer
        WebhookResult upload = Assert.Single(cluster.Cloud.PhotoUploads);
        Assert.Equal(200, upload.Status);
        Assert.Contains("Photo received successfully", upload.Body, StringComparison.Ordinal);

        // An upload nobody in the cluster waits for is still refused, on either replica.
        (int status, _) = await UploadAsync(cluster[1], "photo_req_unknown");
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task Settings_and_tool_calls_reach_the_replica_that_holds_the_users_session()
    {
        await using Cluster cluster = await Cluster.StartAsync(2);
        await cluster.StartAliceOnAsync(0);
        cluster.RouteAllTo(1);

        WebhookResult pushed = await cluster.Cloud.PushSettingsAsync(Cluster.User, [SessionHarness.Setting("theme", "\"dark\"")], overSocket: false);
        WebhookResult tool = await cluster.Cloud.CallToolAsync(Cluster.User, "where");
        WebhookResult nobody = await cluster.Cloud.CallToolAsync("bob@example.com", "where");

        Assert.Equal(200, pushed.Status);
        Assert.Contains("\"sessionsUpdated\":1", pushed.Body, StringComparison.Ordinal);
        await SessionHarness.Eventually(() => cluster[0].Probe.Calls.Contains("settings theme=\"dark\""), "the owner's settings handler ran");
        Assert.Equal(200, tool.Status);
        Assert.Contains("session of alice@example.com", tool.Body, StringComparison.Ordinal);
        Assert.Contains("tool with session", cluster[0].Probe.Calls);
        Assert.Contains("no session", nobody.Body, StringComparison.Ordinal); // a user without a session: answered where it landed
        Assert.Contains("tool without session", cluster[1].Probe.Calls);

        // A tool call without the app's key is refused where it lands, never forwarded.
        WebhookResult forged = await cluster.Cloud.CallToolAsync(Cluster.User, "where", hashedKey: new string('0', 64));
        Assert.Equal(401, forged.Status);
    }

    [Fact]
    public async Task An_exact_retry_of_a_session_request_on_another_replica_is_answered_once_without_a_second_socket()
    {
        await using Cluster cluster = await Cluster.StartAsync(2);
        string body = $$"""{"type":"session_request","sessionId":"{{Sid}}","userId":"{{Cluster.User}}","timestamp":"2026-12-03T10:00:00.000Z","mentraOSWebsocketUrl":"{{cluster.Cloud.WebSocketUrl}}"}""";
        cluster.Cloud.Route = _ => 0;
        // The emulator must know the session to accept its socket, as the cloud knows the sessions it asks for.
        (WebhookResult started, EmulatedSession session) = await cluster.Cloud.StartSessionAsync(Cluster.User);
        Assert.Equal(200, started.Status);
        await session.WaitForAsync<SubscriptionUpdate>();
        int inits = cluster.Cloud.Inits.Count;

        (int first, _) = await cluster.PostAsync(0, body);
        (int retry, string answer) = await cluster.PostAsync(1, body);

        Assert.Equal(200, first);
        Assert.Equal(200, retry);
        Assert.Contains("success", answer, StringComparison.Ordinal);
        Assert.Equal(inits + 1, cluster.Cloud.Inits.Count); // one socket for the webhook and its retry
        Assert.DoesNotContain(cluster[1].Probe.Calls, c => c.StartsWith("session ", StringComparison.Ordinal));
        Assert.Null(cluster[1].Manager.Find(Sid));
    }

    [Fact]
    public async Task When_the_owner_dies_its_stop_is_handled_by_a_live_replica_the_count_drops_and_the_resurrection_lands_there()
    {
        await using Cluster cluster = await Cluster.StartAsync(2);
        EmulatedSession session = await cluster.StartAliceOnAsync(0);
        cluster.RouteAllTo(1);

        await cluster[0].DisposeAsync(); // the host goes: its sockets close without release, its channel is gone

        (int? status, _) = await session.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(session.Released);
        // The emulator's grace period ends: a stop (to replica 1, which clears the dead owner's lease) and a new session.
        await SessionHarness.Eventually(() => cluster[1].Manager.Find(Sid) is not null, "the resurrected session is live on replica 1", 10_000);
        Assert.Equal(1, cluster[1].Stops);
        Assert.Equal(1, await cluster[1].HealthAsync());
        EmulatedSession resurrected = cluster.Cloud.Session(Sid)!;
        Assert.NotSame(session, resurrected);
        Assert.True(resurrected.IsOpen, "status was " + status);
    }

    [Fact]
    public async Task A_replica_cut_off_from_Redis_gives_up_its_sessions_and_the_cloud_brings_them_back_on_another_of_three()
    {
        await using Cluster cluster = await Cluster.StartAsync(3, relayed: 0);
        EmulatedSession session = await cluster.StartAliceOnAsync(0);
        cluster.Cloud.Route = path => path == "/webhook" ? 2 : 1;
        Assert.Equal(1, await cluster[1].HealthAsync());

        cluster[0].Relay!.Cut();

        // Within a lease and a renewal, replica 0 closes the socket without release; after the grace, the cloud resurrects.
        (int? status, _) = await session.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(session.Released);
        Assert.Equal(0, cluster[0].Stops); // given up, not stopped: the cloud decides
        await SessionHarness.Eventually(() => cluster[2].Manager.Find(Sid) is not null, "the session is live on replica 2", 10_000);
        Assert.Null(cluster[0].Manager.Find(Sid));
        await cluster.WaitAsync(async () => await cluster[1].HealthAsync() == 1, "the cluster counts the one session");
        Assert.True(cluster.Cloud.Session(Sid)!.IsOpen, "closed with " + status);
    }

    [Fact]
    public async Task Redis_restarted_mid_session_loses_nothing_and_no_webhook_gets_a_5xx()
    {
        // A lease of 8 s: Redis is away for about a second, well within the half lease after which a replica gives up.
        await using Cluster cluster = await Cluster.StartAsync(2, lease: TimeSpan.FromSeconds(8));
        EmulatedSession alice = await cluster.StartAliceOnAsync(0);

        cluster.Redis.Kill();
        cluster.RouteAllTo(1);
        (WebhookResult bob, EmulatedSession bobSession) = await cluster.Cloud.StartSessionAsync("bob@example.com");
        int health = await cluster[1].HealthAsync(); // Redis is down: the replica's own count, with a warning
        await cluster.Redis.RestartAsync(TimeSpan.Zero);

        Assert.Equal(200, bob.Status);
        Assert.Equal(1, health);
        await bobSession.WaitForAsync<SubscriptionUpdate>();
        // The renewals write the leases again into the empty server: both sessions are counted, and both are alive.
        await cluster.WaitAsync(async () => await cluster[0].HealthAsync() == 2, "the cluster counts both sessions again", 10_000);
        Assert.True(alice.IsOpen);
        Assert.True(bobSession.IsOpen);
        await alice.SendTranscriptionAsync("still here");
        await alice.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "still here" });

        // And routing works again: alice's stop, sent to replica 1, reaches replica 0.
        Assert.Equal(200, (await cluster.Cloud.SendStopRequestAsync(Cluster.SessionId)).Status);
        await alice.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, cluster[0].Stops);
        Assert.Contains(cluster[1].Host.Logs.Entries, e => e.Category == "Mentra.Generated.Redis" && e.EventId == 61);
    }

    private static async Task<(int Status, string Body)> UploadAsync(Replica replica, string requestId)
    {
        using var form = new System.Net.Http.MultipartFormDataContent();
        form.Add(new System.Net.Http.StringContent(requestId), "requestId");
        var photo = new System.Net.Http.ByteArrayContent(DefaultGlasses.Photo);
        photo.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        form.Add(photo, "photo", "photo.png");
        using System.Net.Http.HttpResponseMessage response = await replica.Host.Client.PostAsync("/photo-upload", form);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
