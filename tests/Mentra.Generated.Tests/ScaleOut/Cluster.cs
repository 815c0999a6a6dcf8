using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Redis;
using Mentra.Generated.Sessions;
using Mentra.Generated.Tests.Hosting;
using Mentra.Generated.Tests.Sessions;
using Mentra.Generated.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Mentra.Generated.Tests.ScaleOut;

/// <summary>The app each replica runs: it records what reached it, echoes captions, and takes a photo on "photo".</summary>
[MentraApp]
public partial class ScaleOutTestApp(SessionProbe probe)
{
    [OnSession]
    public void Start(string sessionId) => probe.Calls.Enqueue("session " + sessionId);

    [OnStop]
    public void Stop(string sessionId) => probe.Calls.Enqueue("stop " + sessionId);

    [OnConnected]
    public void Connected(AppSession session) => probe.Sessions.Enqueue(session);

    [OnTranscription("en-US")]
    public async Task Heard(string text, AppSession session)
    {
        if (text == "photo")
        {
            Photo photo = await session.TakePhotoAsync(timeout: TimeSpan.FromSeconds(10));
            await session.ShowTextWallAsync($"photo {photo.Data.Length} bytes {photo.MimeType}");
            return;
        }

        await session.ShowTextWallAsync(text);
    }

    [OnSettingsChanged]
    public void Settings(SettingsUpdate update) => probe.Calls.Enqueue("settings " + string.Join(",", update.Settings.Select(s => s.Key + "=" + s.Value?.GetRawText())));

    /// <summary>Says where the call ran: with the user's session, or without one.</summary>
    /// <param name="session">The user's live session, if this replica holds it.</param>
    [OnToolCall("where")]
    public string Where(AppSession? session)
    {
        probe.Calls.Enqueue("tool " + (session is null ? "without session" : "with session"));
        return session is null ? "no session" : "session of " + session.UserId;
    }
}

/// <summary>One replica of the app: a Kestrel server of its own, with its probe, sharing its sessions through Redis.</summary>
internal sealed class Replica(KestrelHost host, SessionProbe probe, TcpRelay? relay) : IAsyncDisposable
{
    public KestrelHost Host { get; } = host;

    public SessionProbe Probe { get; } = probe;

    /// <summary>The relay between this replica and Redis, when the test cuts it.</summary>
    public TcpRelay? Relay { get; } = relay;

    public AppSessionManager Manager => Host.Services.GetRequiredService<AppSessionManager>();

    public RedisCoordinator Coordinator => Host.Services.GetRequiredService<RedisCoordinator>();

    public int Stops => Probe.Stops;

    public bool Stopped { get; private set; }

    /// <summary>What this replica's <c>/health</c> reports as active sessions.</summary>
    public async Task<int> HealthAsync()
    {
        using JsonDocument health = JsonDocument.Parse(await Host.Client.GetStringAsync("/health"));
        return health.RootElement.GetProperty("activeSessions").GetInt32();
    }

    public async ValueTask DisposeAsync()
    {
        if (!Stopped)
        {
            Stopped = true;
            await Host.DisposeAsync();
        }

        if (Relay is not null)
        {
            await Relay.DisposeAsync();
        }
    }
}

/// <summary>
/// Two or three replicas of <see cref="ScaleOutTestApp"/> on 127.0.0.1, one real redis-server, and the emulator as the
/// cloud in front of them, playing a load balancer that is not sticky (<see cref="CloudEmulator.Route"/> picks).
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    public const string User = "alice@example.com";
    public const string SessionId = User + "-org.example.tests";

    /// <summary>A short lease, so that a lost replica's sessions lapse within the test.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    private Cluster(RedisServer redis, List<Replica> replicas, CloudEmulator cloud)
    {
        Redis = redis;
        Replicas = replicas;
        Cloud = cloud;
    }

    public RedisServer Redis { get; }

    public List<Replica> Replicas { get; }

    public CloudEmulator Cloud { get; }

    public Replica this[int index] => Replicas[index];

    /// <param name="count">How many replicas.</param>
    /// <param name="relayed">The replica that reaches Redis through a <see cref="TcpRelay"/>, which the test can cut.</param>
    /// <param name="lease">The lease, <see cref="Lease"/> unless a test needs Redis away for longer than half of it.</param>
    public static async Task<Cluster> StartAsync(int count, int? relayed = null, TimeSpan? lease = null)
    {
        RedisServer redis = await RedisServer.StartAsync();
        var replicas = new List<Replica>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                TcpRelay? relay = i == relayed ? new TcpRelay(redis.Port) : null;
                string connection = relay?.ConnectionString ?? redis.ConnectionString;
                var probe = new SessionProbe();
                string name = "r" + i;
                KestrelHost host = await KestrelHost.StartAsync<ScaleOutTestApp>(
                    options =>
                    {
                        options.ApiKey = SessionHarness.ApiKey;
                        options.AllowInsecureLoopbackWebSocket = true;
                        options.SessionAckTimeout = TimeSpan.FromSeconds(3);
                    },
                    services: services =>
                    {
                        services.AddSingleton(probe);
                        services.AddMentraRedis(options =>
                        {
                            options.ConnectionString = connection + ",connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000";
                            options.LeaseDuration = lease ?? Lease;
                            options.ReplicaId = name;
                            options.ForwardTimeout = TimeSpan.FromSeconds(5);
                        });
                    });
                replicas.Add(new Replica(host, probe, relay));
            }

            CloudEmulator cloud = await CloudEmulator.StartAsync(new EmulatorOptions
            {
                AppUrl = replicas[0].Host.Address,
                ReplicaUrls = [.. replicas.Skip(1).Select(r => r.Host.Address)],
                PackageName = "org.example.tests",
                ApiKey = SessionHarness.ApiKey,
                GracePeriod = TimeSpan.FromSeconds(1),
            });
            return new Cluster(redis, replicas, cloud);
        }
        catch
        {
            foreach (Replica replica in replicas)
            {
                await replica.DisposeAsync();
            }

            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking every 20 ms; throws after <paramref name="milliseconds"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int milliseconds = 5000)
    {
        DateTime until = DateTime.UtcNow.AddMilliseconds(milliseconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("Still not true: " + what);
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits as <see cref="EventuallyAsync"/>; a failure tells the replicas' logs and what Redis holds.</summary>
    public async Task WaitAsync(Func<Task<bool>> condition, string what, int milliseconds = 5000)
    {
        try
        {
            await EventuallyAsync(condition, what, milliseconds);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + await DescribeAsync(), e);
        }
    }

    /// <summary>The replicas' SDK logs and the leases in Redis, for a failure's message.</summary>
    public async Task<string> DescribeAsync()
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < Replicas.Count; i++)
        {
            foreach (var entry in Replicas[i].Host.Logs.Entries.Where(e => e.Category.StartsWith("Mentra", StringComparison.Ordinal)))
            {
                text.Append('r').Append(i).Append(' ').Append(entry.EventId).Append(' ').AppendLine(entry.Message);
            }
        }

        try
        {
            await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
            var db = redis.GetDatabase();
            foreach (var owner in await db.HashGetAllAsync("mentra:{org.example.tests}:owners"))
            {
                text.Append("owner ").Append(owner.Name.ToString()).Append(" = ").AppendLine(owner.Value.ToString());
            }

            foreach (var lease in await db.SortedSetRangeByRankWithScoresAsync("mentra:{org.example.tests}:leases"))
            {
                text.Append("lease ").Append(lease.Element.ToString()).Append(" until ").AppendLine(lease.Score.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch (StackExchange.Redis.RedisException e)
        {
            text.AppendLine("redis: " + e.Message);
        }

        return text.ToString();
    }

    /// <summary>Every call of the cloud goes to replica <paramref name="index"/> from now on.</summary>
    public void RouteAllTo(int index) => Cloud.Route = _ => index;

    /// <summary>Starts alice's session on replica <paramref name="index"/> and waits until the app has her subscriptions.</summary>
    public async Task<EmulatedSession> StartAliceOnAsync(int index)
    {
        RouteAllTo(index);
        (WebhookResult answer, EmulatedSession session) = await Cloud.StartSessionAsync(User);
        Xunit.Assert.True(answer.Status == 200, answer.Status + " " + answer.Body);
        await session.WaitForAsync<SubscriptionUpdate>();
        await SessionHarness.Eventually(() => this[index].Manager.Find(SessionId) is not null, "replica " + index + " holds the session");
        return session;
    }

    /// <summary>Posts <paramref name="json"/> to replica <paramref name="index"/>'s <paramref name="path"/>.</summary>
    public async Task<(int Status, string Body)> PostAsync(int index, string json, string path = "/webhook")
    {
        using HttpResponseMessage response = await this[index].Host.PostAsync(json, path);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync();
        foreach (Replica replica in Replicas)
        {
            await replica.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }
}
