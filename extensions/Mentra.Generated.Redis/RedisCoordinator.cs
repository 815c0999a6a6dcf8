using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Coordination;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mentra.Generated.Redis;

/// <summary>
/// The replicas of one app, coordinated through Redis.
/// <list type="bullet">
/// <item><b>Ownership.</b> A session the cloud acked here is claimed with a new epoch (a lease of
/// <see cref="MentraRedisOptions.LeaseDuration"/>); an earlier owner elsewhere is told to release it, and does so only
/// if it still holds it at that epoch. The leases are renewed in batches, every third of a lease, by an owner-checked
/// script: one this replica no longer holds is given up as taken over, and when no renewal has succeeded for half a
/// lease and more (two failed renewals: Redis unreachable, or this replica cut off) every session is closed without
/// release, before the lease ends, so that no two replicas hold one session, and the cloud brings them back on a live
/// replica.</item>
/// <item><b>Routing.</b> Each replica listens on a channel of its own. A stop, a settings push, a tool call or a photo
/// upload that lands where its session is not is published to the owner's channel and answered with the owner's
/// answer; when nobody listens there, the owner is gone: what it left is cleared, and the call is answered here.</item>
/// <item><b>Retries.</b> The answer of each session webhook is kept a minute by the hash of its body: an exact retry,
/// on any replica, gets it without running the handler again.</item>
/// <item><b>Count.</b> <c>/health</c> counts the leases of the cluster (ended ones pruned), cached a second; without
/// Redis it reports this replica's own, with a warning.</item>
/// </list>
/// Without Redis the replica goes on: webhooks are answered, and the sessions it holds keep working until their lease
/// would have ended.
/// </summary>
internal sealed class RedisCoordinator : SessionCoordinator, IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan PendingClaim = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan AnswerKept = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PhotoKept = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan CountCached = TimeSpan.FromSeconds(1);
    private const int RenewBatch = 500;

    private readonly MentraRedisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _replica;
    private readonly string _prefix;
    private readonly RedisKey[] _leaseKeys;
    private readonly RedisKey[] _claimKeys;
    private readonly RedisChannel _channel;
    private readonly ConcurrentDictionary<string, Owned> _owned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ForwardedAnswer>> _calls = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly WarningLimit _warnings;
    private ICoordinatedReplica? _replicaHost;
    private ConnectionMultiplexer? _redis;
    private Task? _renewing;
    private long _lastRenewed;
    private int _disposed;
    private (int Count, long At) _count = (-1, 0);
    private Task<int>? _counting;

    public RedisCoordinator(IOptions<MentraRedisOptions> options, IOptions<MentraOptions> app, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger("Mentra.Generated.Redis");
        _warnings = new WarningLimit(time);
        _replica = Clean(_options.ReplicaId ?? (Environment.MachineName + "-" + Environment.ProcessId + "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))));
        _prefix = _options.KeyPrefix + ":{" + (app.Value.PackageName ?? string.Empty) + "}:";
        RedisKey owners = _prefix + "owners", leases = _prefix + "leases", users = _prefix + "users";
        _leaseKeys = [owners, leases, users];
        _claimKeys = [owners, leases, users, _prefix + "epoch"];
        _channel = ChannelOf(_replica);
    }

    /// <summary>This replica's name among the app's replicas.</summary>
    public string ReplicaId => _replica;

    public override bool Distributed => true;

    private IDatabase Db => (_redis ?? throw new InvalidOperationException("The Redis coordinator has not started.")).GetDatabase();

    private RedisChannel ChannelOf(string replica) => RedisChannel.Literal(_prefix + "replica:" + replica);

    public override void Attach(ICoordinatedReplica replica) => _replicaHost = replica;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ConfigurationOptions configuration = ConfigurationOptions.Parse(_options.ConnectionString);
        configuration.AbortOnConnectFail = false; // the app starts without Redis, and connects when it comes
        configuration.BacklogPolicy = BacklogPolicy.FailFast; // a command while disconnected fails at once, never holding a webhook
        configuration.ClientName ??= "mentra-" + _replica;
        _redis = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        // Listening on this replica's channel before the first webhook, if Redis answers within 2 s; else the renewals
        // keep trying, and until then calls for this replica's sessions are answered where they land.
        long started = _time.GetTimestamp();
        while (!await SubscribeAsync().ConfigureAwait(false) && _time.GetElapsedTime(started) < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
        }

        _lastRenewed = _time.GetTimestamp();
        _renewing = RenewLoopAsync(_stopping.Token);
        Log.Started(_logger, _replica, _redis.IsConnected);
    }

    private volatile bool _subscribed;

    /// <summary>Listens on this replica's channel, once; false while Redis cannot be reached (StackExchange.Redis restores a subscription made after a reconnect).</summary>
    private async Task<bool> SubscribeAsync()
    {
        if (_subscribed)
        {
            return true;
        }

        try
        {
            await _redis!.GetSubscriber().SubscribeAsync(_channel, OnMessage).ConfigureAwait(false);
            _subscribed = true;
            return true;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            return false;
        }
    }

    /// <summary>
    /// Stops renewing and listening; the leases are left to end by themselves: the host closes its sessions without
    /// release, and the cloud brings them back on a live replica, whose claim replaces these.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_renewing is not null)
        {
            await _renewing.ConfigureAwait(false);
        }

        if (_redis is not null)
        {
            try
            {
                await _redis.GetSubscriber().UnsubscribeAsync(_channel).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Not connected: nothing to unsubscribe from.
            }
        }
    }

    /// <summary>Closes the connection (once: the container may dispose it under both its registrations).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        foreach (KeyValuePair<string, TaskCompletionSource<ForwardedAnswer>> call in _calls)
        {
            call.Value.TrySetCanceled();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    public override async ValueTask OwnAsync(string sessionId, string userId)
    {
        _owned[sessionId] = new Owned(0, userId); // held from now; claimed below, else by the next renewal
        try
        {
            RedisResult[] claimed = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.Claim, _claimKeys, [sessionId, _replica, userId, (long)_options.LeaseDuration.TotalMilliseconds]).ConfigureAwait(false))!;
            long epoch = (long)claimed[0];
            _owned[sessionId] = new Owned(epoch, userId);
            if (!claimed[1].IsNull && Parse((string)claimed[1]!) is { } earlier && earlier.Replica != _replica)
            {
                // Another replica held it: it releases the session (ownership_release) unless it has a newer claim.
                var release = new ReplicaMessage(ReplicaMessageKind.Release, string.Empty, _replica) { SessionId = sessionId, Epoch = earlier.Epoch };
                await Db.PublishAsync(ChannelOf(earlier.Replica), release.Write()).ConfigureAwait(false);
                Log.TookOver(_logger, sessionId, earlier.Replica);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            Unreachable(e);
        }
    }

    public override async ValueTask DisownAsync(string sessionId)
    {
        if (!_owned.TryRemove(sessionId, out Owned owned) || owned.Epoch == 0)
        {
            return;
        }

        try
        {
            await Db.ScriptEvaluateAsync(RedisScripts.Release, _leaseKeys, [sessionId, _replica + "|" + owned.Epoch + "|" + owned.UserId, owned.UserId]).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            Unreachable(e); // the lease ends by itself
        }
    }

    public override async Task<ForwardedAnswer?> ForwardAsync(ForwardedCall call, CancellationToken cancellationToken)
    {
        string? owner;
        string? ownerValue = null;
        string? sessionId = null;
        try
        {
            if (call.Kind == ForwardedKind.Photo)
            {
                owner = (string?)await Db.StringGetAsync(_prefix + "photo:" + call.Key).ConfigureAwait(false);
            }
            else
            {
                RedisResult found = await Db.ScriptEvaluateAsync(RedisScripts.Owner, _leaseKeys, [call.Kind == ForwardedKind.Webhook ? "s" : "u", call.Key]).ConfigureAwait(false);
                if (found.IsNull || found.Resp2Type != ResultType.Array)
                {
                    return null;
                }

                var pair = (RedisResult[])found!;
                ownerValue = (string)pair[0]!;
                sessionId = (string)pair[1]!;
                owner = Parse(ownerValue)?.Replica;
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            Unreachable(e);
            return null; // answered here, as one replica would
        }

        if (owner is null || owner == _replica)
        {
            return null;
        }

        string id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var reply = new TaskCompletionSource<ForwardedAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[id] = reply;
        try
        {
            long listeners = await Db.PublishAsync(ChannelOf(owner), new ReplicaMessage(ReplicaMessageKind.Call, id, _replica) { Call = call }.Write()).ConfigureAwait(false);
            if (listeners == 0)
            {
                // The owner is gone. A stop for its session clears what it left, so that the count drops now and a new
                // claim meets no lease; the call is answered here.
                Log.OwnerGone(_logger, call.Kind.ToString(), owner);
                if (call.Kind == ForwardedKind.Webhook && ownerValue is not null)
                {
                    await Db.ScriptEvaluateAsync(RedisScripts.Release, _leaseKeys, [sessionId!, ownerValue, Parse(ownerValue)!.Value.UserId]).ConfigureAwait(false);
                    _count = (-1, 0);
                }

                return null;
            }

            return await reply.Task.WaitAsync(_options.ForwardTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.ForwardTimedOut(_logger, call.Kind.ToString(), owner, _options.ForwardTimeout.TotalSeconds);
            return new ForwardedAnswer(504, Encoding.UTF8.GetBytes("{\"status\":\"error\",\"message\":\"The replica that holds the session did not answer in time\"}"));
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            Unreachable(e);
            return null;
        }
        finally
        {
            _calls.TryRemove(id, out _);
        }
    }

    public override void AwaitPhoto(string requestId) =>
        Quietly(Db.StringSetAsync(_prefix + "photo:" + requestId, _replica, PhotoKept, flags: CommandFlags.FireAndForget));

    public override void ForgetPhoto(string requestId) =>
        Quietly(Db.KeyDeleteAsync(_prefix + "photo:" + requestId, CommandFlags.FireAndForget));

    public override async ValueTask<bool> IsPhotoAwaitedElsewhereAsync(string requestId)
    {
        try
        {
            return await Db.StringGetAsync(_prefix + "photo:" + requestId).ConfigureAwait(false) is { IsNull: false } owner && owner != _replica;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            Unreachable(e);
            return false;
        }
    }

    public override async ValueTask<ForwardedAnswer?> ClaimWebhookAsync(byte[] bodyHash, CancellationToken cancellationToken)
    {
        RedisKey key = _prefix + "webhook:" + Convert.ToHexStringLower(bodyHash);
        long deadline = _time.GetTimestamp();
        try
        {
            while (true)
            {
                if (await Db.StringSetAsync(key, Pending, PendingClaim, When.NotExists).ConfigureAwait(false))
                {
                    return null; // the first: handled here
                }

                RedisValue seen = await Db.StringGetAsync(key).ConfigureAwait(false);
                if (seen.IsNull)
                {
                    continue; // the first failed and dropped its claim: try again
                }

                byte[] value = (byte[])seen!;
                if (value.Length >= 4 && value[0] == (byte)'D')
                {
                    int status = ((value[1] - '0') * 100) + ((value[2] - '0') * 10) + (value[3] - '0');
                    return new ForwardedAnswer(status, value[4..]);
                }

                if (_time.GetElapsedTime(deadline) > PendingClaim)
                {
                    return null;
                }

                // Still being handled on another replica (a session that is connecting): its answer is this one's.
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            Unreachable(e);
            return null;
        }
    }

    public override void CompleteWebhook(byte[] bodyHash, int status, byte[] body)
    {
        RedisKey key = _prefix + "webhook:" + Convert.ToHexStringLower(bodyHash);
        if (status is >= 200 and < 300)
        {
            byte[] value = new byte[4 + body.Length];
            value[0] = (byte)'D';
            value[1] = (byte)('0' + (status / 100));
            value[2] = (byte)('0' + (status / 10 % 10));
            value[3] = (byte)('0' + (status % 10));
            body.CopyTo(value, 4);
            Quietly(Db.StringSetAsync(key, value, AnswerKept, flags: CommandFlags.FireAndForget));
        }
        else
        {
            Quietly(Db.KeyDeleteAsync(key, CommandFlags.FireAndForget)); // a failure is not kept: a retry is handled afresh
        }
    }

    public override async ValueTask<int> CountAsync(int local)
    {
        (int count, long at) = _count;
        if (count >= 0 && _time.GetElapsedTime(at) < CountCached)
        {
            return count;
        }

        Task<int> counting = _counting ??= CountNowAsync();
        try
        {
            return await counting.ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            if (_warnings.Allow(ref _countWarning))
            {
                Log.CountUnavailable(_logger, local, e.Message);
            }

            return local;
        }
        finally
        {
            _ = Interlocked.CompareExchange(ref _counting, null, counting);
        }
    }

    private long _countWarning;

    private async Task<int> CountNowAsync()
    {
        int count = (int)await Db.ScriptEvaluateAsync(RedisScripts.Count, _leaseKeys).ConfigureAwait(false);
        _count = (count, _time.GetTimestamp());
        return count;
    }

    /// <summary>Renews the leases every third of one; gives the sessions up after two failed renewals in a row.</summary>
    private async Task RenewLoopAsync(CancellationToken stopping)
    {
        TimeSpan every = _options.LeaseDuration / 3;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await SubscribeAsync().ConfigureAwait(false);
                await RenewAsync().ConfigureAwait(false);
                _lastRenewed = _time.GetTimestamp();
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                Unreachable(e);
                // Given up before the lease ends in Redis (at the second failed renewal of three a lease), so that no other
                // replica can claim a session while this one still holds its socket.
                if (_time.GetElapsedTime(_lastRenewed) >= _options.LeaseDuration - every - (every / 2))
                {
                    await GiveUpAllAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                Log.RenewFailed(_logger, e);
            }
        }
    }

    /// <summary>One renewal of every session this replica holds, in batches of <see cref="RenewBatch"/>.</summary>
    internal async Task RenewAsync()
    {
        if (_replicaHost is not { } host)
        {
            return;
        }

        // What the manager holds is the truth: a session it holds that is not known here yet is claimed (epoch 0), and
        // one known here that it no longer holds (its end raced a renewal that claimed it again) is released.
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string sessionId, string userId) in host.OwnedSessions())
        {
            held[sessionId] = userId;
            _owned.TryAdd(sessionId, new Owned(0, userId));
        }

        foreach (KeyValuePair<string, Owned> stale in _owned)
        {
            if (!held.ContainsKey(stale.Key) && _owned.TryRemove(stale) && stale.Value.Epoch != 0)
            {
                await Db.ScriptEvaluateAsync(RedisScripts.Release, _leaseKeys, [stale.Key, _replica + "|" + stale.Value.Epoch + "|" + stale.Value.UserId, stale.Value.UserId]).ConfigureAwait(false);
            }
        }

        KeyValuePair<string, Owned>[] owned = [.. _owned];
        for (int start = 0; start < owned.Length; start += RenewBatch)
        {
            ArraySegment<KeyValuePair<string, Owned>> batch = new(owned, start, Math.Min(RenewBatch, owned.Length - start));
            var args = new RedisValue[2 + (batch.Count * 2)];
            args[0] = _replica;
            args[1] = (long)_options.LeaseDuration.TotalMilliseconds;
            int i = 2;
            foreach (KeyValuePair<string, Owned> entry in batch)
            {
                args[i++] = entry.Key;
                args[i++] = entry.Value.UserId;
            }

            var epochs = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.Renew, _claimKeys, args).ConfigureAwait(false))!;
            for (int j = 0; j < batch.Count; j++)
            {
                (string sessionId, Owned was) = (batch[j].Key, batch[j].Value);
                long epoch = (long)epochs[j];
                if (epoch != 0)
                {
                    _owned.TryUpdate(sessionId, was with { Epoch = epoch }, was);
                }
                else if (_owned.TryRemove(new KeyValuePair<string, Owned>(sessionId, was)))
                {
                    await host.GiveUpAsync(sessionId, takenOver: true).ConfigureAwait(false); // another replica holds it now
                }
            }
        }
    }

    /// <summary>Two renewals failed in a row: every session is closed without release, before its lease ends, for the cloud to bring back elsewhere.</summary>
    private async Task GiveUpAllAsync()
    {
        if (_owned.IsEmpty || _replicaHost is not { } host)
        {
            return;
        }

        Log.CutOff(_logger, _owned.Count, Math.Round(_time.GetElapsedTime(_lastRenewed).TotalSeconds, 1));
        foreach (string sessionId in _owned.Keys.ToArray())
        {
            if (_owned.TryRemove(sessionId, out _))
            {
                await host.GiveUpAsync(sessionId, takenOver: false).ConfigureAwait(false);
            }
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue value)
    {
        if (ReplicaMessage.Read((byte[])value!) is not { } message)
        {
            return;
        }

        switch (message.Kind)
        {
            case ReplicaMessageKind.Reply when _calls.TryGetValue(message.Id, out TaskCompletionSource<ForwardedAnswer>? waiting):
                waiting.TrySetResult(message.Answer!);
                break;
            case ReplicaMessageKind.Call:
                _ = AnswerAsync(message);
                break;
            case ReplicaMessageKind.Release:
                _ = ReleaseAsync(message.SessionId!, message.Epoch);
                break;
        }
    }

    private async Task AnswerAsync(ReplicaMessage message)
    {
        ForwardedAnswer answer;
        try
        {
            answer = _replicaHost is { } host
                ? await host.AnswerAsync(message.Call!).ConfigureAwait(false)
                : new ForwardedAnswer(503, Encoding.UTF8.GetBytes("{\"status\":\"error\",\"message\":\"The replica is starting\"}"));
        }
        catch (Exception e)
        {
            Log.AnswerFailed(_logger, message.Call!.Kind.ToString(), e);
            answer = new ForwardedAnswer(500, Encoding.UTF8.GetBytes("{\"status\":\"error\",\"message\":\"The app failed to handle the call\"}"));
        }

        try
        {
            await Db.PublishAsync(ChannelOf(message.From), new ReplicaMessage(ReplicaMessageKind.Reply, message.Id, _replica) { Answer = answer }.Write()).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            Unreachable(e); // the caller times out
        }
    }

    private async Task ReleaseAsync(string sessionId, long epoch)
    {
        // Only the claim the new owner replaced: a newer claim of this replica's (a later session_request) stays.
        if (_owned.TryGetValue(sessionId, out Owned owned) && owned.Epoch == epoch
            && _owned.TryRemove(new KeyValuePair<string, Owned>(sessionId, owned)) && _replicaHost is { } host)
        {
            await host.GiveUpAsync(sessionId, takenOver: true).ConfigureAwait(false);
        }
    }

    private void Unreachable(Exception e)
    {
        if (_warnings.Allow(ref _unreachableWarning))
        {
            Log.Unreachable(_logger, e.GetType().Name, e.Message);
        }
    }

    private long _unreachableWarning;

    private void Quietly(Task task)
    {
        if (!task.IsCompleted)
        {
            _ = task.ContinueWith(static (t, state) => ((RedisCoordinator)state!).Unreachable(t.Exception!.GetBaseException()), this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else if (task.IsFaulted)
        {
            Unreachable(task.Exception!.GetBaseException());
        }
    }

    private static bool IsRedisFailure(Exception e) => e is RedisException or RedisTimeoutException or RedisConnectionException or TimeoutException or ObjectDisposedException;

    private static readonly RedisValue Pending = "P";

    /// <summary>A lease's value, <c>replica|epoch|user</c>.</summary>
    private static (string Replica, long Epoch, string UserId)? Parse(string value)
    {
        int first = value.IndexOf('|', StringComparison.Ordinal);
        int second = first < 0 ? -1 : value.IndexOf('|', first + 1);
        return second < 0 || !long.TryParse(value.AsSpan(first + 1, second - first - 1), System.Globalization.CultureInfo.InvariantCulture, out long epoch)
            ? null
            : (value[..first], epoch, value[(second + 1)..]);
    }

    /// <summary>A replica id without the lease's separator.</summary>
    private static string Clean(string id) => id.Replace('|', '-');

    /// <summary>A session this replica holds, and the epoch of its claim (0 until claimed).</summary>
    private readonly record struct Owned(long Epoch, string UserId);
}

/// <summary>At most one warning of each kind every 30 s, so that Redis being away does not flood the log.</summary>
internal sealed class WarningLimit(TimeProvider time)
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    public bool Allow(ref long last)
    {
        long now = time.GetTimestamp();
        long seen = Interlocked.Read(ref last);
        return (seen == 0 || time.GetElapsedTime(seen, now) >= Every) && Interlocked.CompareExchange(ref last, now, seen) == seen;
    }
}
