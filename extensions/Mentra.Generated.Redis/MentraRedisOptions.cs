using System;

namespace Mentra.Generated.Redis;

/// <summary>How the replicas of one app share their sessions through Redis (<c>AddMentraRedis</c>).</summary>
public sealed class MentraRedisOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string, for example <c>redis.internal:6379,password=...</c>. The same
    /// commands work on Redis 7, Valkey and Garnet; no <c>KEYS</c> and no keyspace notifications are used.
    /// </summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// How long a replica owns a session without renewing it: 30 s. The owner renews every third of it; a replica that
    /// could not renew twice in a row (half a lease and more) closes its sessions before its lease ends, so that the
    /// cloud brings them back on a live replica and no two replicas hold one session.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a call forwarded to the replica that holds its session may take before it is answered 504: 10 s, the
    /// cloud's own timeout. A replica that is gone is known at once (nobody listens on its channel).
    /// </summary>
    public TimeSpan ForwardTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// This replica's name, unique among the app's replicas while it runs; default: the host name, the process id and
    /// a random suffix, new at each start.
    /// </summary>
    public string? ReplicaId { get; set; }

    /// <summary>
    /// The first part of every key and channel: <c>mentra</c>. Each app's keys are <c>{prefix}:{{package}}:...</c>, with
    /// the package name as the hash tag, so that Redis Cluster keeps one app's keys in one slot.
    /// </summary>
    public string KeyPrefix { get; set; } = "mentra";
}
