using System;
using System.Linq;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Sessions;
using Mentra.Generated.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>Per-user storage against the emulated cloud's storage API, over HTTP: batching, limits, retries, the session's end, use by user id.</summary>
public sealed class StorageTests
{
    private const string Alice = "alice@example.com";

    private static EmulatorOptions Cloud(Uri app, int limit = 1_000_000, int perMinute = 120) =>
        new() { AppUrl = app, PackageName = "org.example.tests", ApiKey = SessionHarness.ApiKey, StorageLimitBytes = limit, StorageCallsPerMinute = perMinute };

    /// <summary>Storage used outside a session, against the emulator's API.</summary>
    private static MentraStorage ByUser(CloudEmulator cloud, string apiKey = SessionHarness.ApiKey) =>
        new("org.example.tests", apiKey, cloud.BaseUrl, null, NullLogger.Instance, TimeProvider.System, SessionHarness.FastStorage);

    [Fact]
    public async Task Writes_are_batched_into_one_call_and_read_back_in_a_later_session()
    {
        var slow = SessionHarness.FastStorage with { Idle = TimeSpan.FromMinutes(1), MaxWait = TimeSpan.FromMinutes(2) };
        await using SessionHarness harness = await SessionHarness.StartAsync<GlassesTestApp>(emulator: host => Cloud(host), storage: slow);
        await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        for (int i = 0; i < 5; i++)
        {
            await app.Storage.SetAsync("note" + i, "text " + i);
        }

        Assert.Equal("text 4", await app.Storage.GetAsync("note4")); // from memory, after the one read of the cloud
        Assert.Equal(1, harness.Cloud.Storage.Requests); // the read; no write is due yet
        Assert.Equal(5, app.Storage.PendingWrites);
        await app.Storage.FlushAsync();
        Assert.Equal(2, harness.Cloud.Storage.Requests); // one write of all five
        Assert.Equal(0, app.Storage.PendingWrites);

        using MentraStorage later = ByUser(harness.Cloud);
        Assert.Equal(["note0", "note1", "note2", "note3", "note4"], (await later.For(Alice).KeysAsync()).Order());
    }

    [Fact]
    public async Task A_batch_goes_by_itself_once_writes_pause()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        await app.Storage.SetAsync("note", "text");

        await SessionHarness.Eventually(() => harness.Cloud.Storage.Of(Alice).ContainsKey("note"), "the batch reached the cloud");
        await SessionHarness.Eventually(() => app.Storage.PendingWrites == 0, "the write is no longer pending");
    }

    [Fact]
    public async Task What_a_session_wrote_reaches_the_cloud_when_it_ends_even_before_its_batch_is_due()
    {
        var slow = SessionHarness.FastStorage with { Idle = TimeSpan.FromMinutes(1), MaxWait = TimeSpan.FromMinutes(2) };
        await using SessionHarness harness = await SessionHarness.StartAsync<GlassesTestApp>(emulator: host => Cloud(host), storage: slow);
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);
        await app.Storage.SetAsync("last_caption", "see you");

        await session.StopAsync();

        // Sent as the session ends, long before its batch would be due (a minute); the host's stop waits for it too.
        await SessionHarness.Eventually(() => harness.Cloud.Storage.Of(Alice).ContainsKey("last_caption"), "the write reached the cloud", 3000);
        Assert.Equal("see you", harness.Cloud.Storage.Of(Alice)["last_caption"]);
    }

    [Fact]
    public async Task Typed_values_go_through_the_apps_json_context()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        using MentraStorage storage = ByUser(harness.Cloud);
        UserStorage alice = storage.For(Alice);

        await alice.SetJsonAsync("prefs", new StoredPrefs("large", 3), StorageTestJson.Default.StoredPrefs);
        await alice.FlushAsync();

        Assert.Equal("""{"Size":"large","Lines":3}""", harness.Cloud.Storage.Of(Alice)["prefs"]);
        using MentraStorage again = ByUser(harness.Cloud);
        Assert.Equal(new StoredPrefs("large", 3), await again.For(Alice).GetJsonAsync("prefs", StorageTestJson.Default.StoredPrefs));
    }

    [Fact]
    public async Task Delete_and_clear_reach_the_cloud_at_once()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        harness.Cloud.Storage.Put(Alice, "a", "1");
        harness.Cloud.Storage.Put(Alice, "b", "2");
        using MentraStorage storage = ByUser(harness.Cloud);
        UserStorage alice = storage.For(Alice);

        await alice.DeleteAsync("a");
        Assert.Equal(["b"], harness.Cloud.Storage.Of(Alice).Keys);
        Assert.Equal(["b"], await alice.KeysAsync());
        await alice.ClearAsync();
        Assert.Empty(harness.Cloud.Storage.Of(Alice));
        Assert.Null(await alice.GetAsync("b"));
    }

    [Fact]
    public async Task Too_many_calls_and_outages_are_retried_with_backoff_and_nothing_is_lost()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        using MentraStorage storage = ByUser(harness.Cloud);
        UserStorage alice = storage.For(Alice);
        harness.Cloud.Storage.FailNext(429);
        harness.Cloud.Storage.FailNext(503);

        await alice.SetAsync("k", "v");
        await alice.FlushAsync();

        Assert.Equal("v", harness.Cloud.Storage.Of(Alice)["k"]);
        Assert.Equal(3, harness.Cloud.Storage.Requests);
    }

    [Fact]
    public async Task A_rate_limit_that_holds_keeps_the_writes_and_the_background_batch_tries_again()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        using MentraStorage storage = ByUser(harness.Cloud);
        UserStorage alice = storage.For(Alice);
        harness.Cloud.Storage.FailNext(429, 3); // more than one interactive attempt's worth, less than the background's

        await alice.SetAsync("k", "v");

        await SessionHarness.Eventually(() => harness.Cloud.Storage.Of(Alice).ContainsKey("k"), "a later batch got through");
        // The cloud holds the write before its answer reaches the client, which only then stops counting it as pending.
        await SessionHarness.Eventually(() => alice.PendingWrites == 0, "the write is no longer pending");
    }

    [Fact]
    public async Task Past_the_users_total_the_cloud_answers_413_and_the_writes_are_kept_not_dropped()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host, limit: 1000));
        using MentraStorage storage = ByUser(harness.Cloud);
        UserStorage alice = storage.For(Alice);

        await alice.SetAsync("big", new string('x', 2000));
        MentraStorageException full = await Assert.ThrowsAsync<MentraStorageException>(() => alice.FlushAsync());

        Assert.Equal(413, full.StatusCode);
        Assert.Contains("1 MB", full.Message);
        Assert.Equal(1, alice.PendingWrites);
        Assert.Equal(2000, (await alice.GetAsync("big"))!.Length); // still readable from memory
        await alice.SetAsync("big", "small now");
        await alice.FlushAsync();
        Assert.Equal("small now", harness.Cloud.Storage.Of(Alice)["big"]);
    }

    [Fact]
    public async Task A_value_over_100_KB_is_refused_at_once_and_nothing_is_queued()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        using MentraStorage storage = ByUser(harness.Cloud);
        UserStorage alice = storage.For(Alice);

        MentraStorageException error = await Assert.ThrowsAsync<MentraStorageException>(() => alice.SetAsync("photo", new string('é', 50_001)).AsTask());

        Assert.Contains("100002 bytes", error.Message);
        Assert.Equal(0, alice.PendingWrites);
    }

    [Fact]
    public async Task A_wrong_key_is_a_clear_refusal_without_the_key_in_the_message()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        using MentraStorage storage = ByUser(harness.Cloud, apiKey: "not-the-key");

        MentraStorageException error = await Assert.ThrowsAsync<MentraStorageException>(() => storage.For(Alice).GetAsync("a").AsTask());

        Assert.Equal(401, error.StatusCode);
        Assert.DoesNotContain("not-the-key", error.Message);
    }

    [Fact]
    public async Task The_hosts_stop_sends_what_is_still_pending()
    {
        var slow = SessionHarness.FastStorage with { Idle = TimeSpan.FromMinutes(1), MaxWait = TimeSpan.FromMinutes(2) };
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        using var storage = new MentraStorage("org.example.tests", SessionHarness.ApiKey, harness.Cloud.BaseUrl, null, NullLogger.Instance, TimeProvider.System, slow);
        await storage.For("bob@example.com").SetAsync("draft", "half written");
        Assert.Empty(harness.Cloud.Storage.Of("bob@example.com"));

        await ((IHostedService)storage).StopAsync(default);

        Assert.Equal("half written", harness.Cloud.Storage.Of("bob@example.com")["draft"]);
    }

    [Fact]
    public async Task A_read_that_failed_is_tried_again_by_the_next_call()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        harness.Cloud.Storage.Put(Alice, "a", "1");
        using MentraStorage storage = ByUser(harness.Cloud);
        UserStorage alice = storage.For(Alice);
        harness.Cloud.Storage.FailNext(503, 3); // every attempt of the first call

        MentraStorageException outage = await Assert.ThrowsAsync<MentraStorageException>(() => alice.GetAsync("a").AsTask());

        Assert.Equal(503, outage.StatusCode);
        Assert.Equal("1", await alice.GetAsync("a"));
    }

    [Fact]
    public async Task Reading_users_by_id_holds_none_of_them()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: host => Cloud(host));
        using MentraStorage storage = ByUser(harness.Cloud);

        for (int i = 0; i < 20; i++)
        {
            await storage.For("user" + i + "@example.com").GetAsync("a");
        }

        Assert.Equal(0, storage.Count);
    }
}

public sealed record StoredPrefs(string Size, int Lines);

[System.Text.Json.Serialization.JsonSerializable(typeof(StoredPrefs))]
internal sealed partial class StorageTestJson : System.Text.Json.Serialization.JsonSerializerContext;
