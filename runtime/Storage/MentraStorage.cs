using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mentra.Generated.Storage;

/// <summary>
/// The cloud's per-user key/value storage for this app (the TypeScript SDK's SimpleStorage): a session's is
/// <c>session.Storage</c>; outside a session (an HTTP endpoint of the app), <see cref="For(string)"/> gives a user's.
/// Each user's values are read once and kept in memory; writes are batched (sent after 3 s without a write, 10 s at
/// most) and sent at the session's end and when the host stops, so that nothing written is lost. Registered by
/// <c>AddMentraApp</c>.
/// </summary>
public sealed class MentraStorage : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, UserStorage> _users = new(StringComparer.Ordinal);
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Makes the storage of the app <paramref name="options"/> name, against <see cref="MentraOptions.CloudApiUrl"/> outside sessions.</summary>
    public MentraStorage(IOptions<MentraOptions> options, ILoggerFactory? loggers = null, TimeProvider? time = null)
        : this(
            (options ?? throw new ArgumentNullException(nameof(options))).Value.PackageName ?? string.Empty,
            options.Value.ApiKey ?? string.Empty,
            options.Value.CloudApiUrl,
            null,
            loggers?.CreateLogger("Mentra.Generated.Storage") ?? NullLogger.Instance,
            time ?? TimeProvider.System)
    {
    }

    internal MentraStorage(string packageName, string apiKey, Uri cloudApiUrl, HttpClient? http, ILogger logger, TimeProvider time, StorageTimings? timings = null)
    {
        PackageName = packageName;
        ApiKey = apiKey;
        CloudApiUrl = cloudApiUrl.AbsoluteUri.EndsWith('/') ? cloudApiUrl : new Uri(cloudApiUrl.AbsoluteUri + "/");
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), UseProxy = true }) { Timeout = TimeSpan.FromSeconds(10) };
        Logger = logger;
        Time = time;
        Timings = timings ?? StorageTimings.Default;
    }

    internal string PackageName { get; }

    internal string ApiKey { get; }

    internal Uri CloudApiUrl { get; }

    internal HttpClient Http => _http;

    internal ILogger Logger { get; }

    internal TimeProvider Time { get; }

    internal StorageTimings Timings { get; }

    /// <summary>
    /// The storage of <paramref name="userId"/>, outside a live session: the same instance as the user's live session's
    /// while there is one, against the cloud of that session; else against <see cref="MentraOptions.CloudApiUrl"/>.
    /// </summary>
    public UserStorage For(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        // Not kept here until it has writes to send: reading many users' values from an endpoint holds none of them.
        return _users.TryGetValue(userId, out UserStorage? storage) ? storage : new UserStorage(this, userId, CloudApiUrl, registered: false);
    }

    /// <summary>An instance made by <see cref="For"/> has writes to send: kept, so that the host's stop sends them (unless the user has another by now, which then counts).</summary>
    internal void Register(UserStorage storage) => _users.TryAdd(storage.UserId, storage);

    /// <summary>A session's storage: the user's instance, now against the session's cloud, held until <see cref="Release"/>.</summary>
    internal UserStorage Acquire(string userId, Uri cloud)
    {
        while (true)
        {
            UserStorage storage = _users.GetOrAdd(userId, static (id, state) => new UserStorage(state.Storage, id, state.Cloud), (Storage: this, Cloud: cloud));
            if (storage.TryHold(cloud))
            {
                return storage;
            }

            // Retired between the lookup and the hold: take the next one.
        }
    }

    /// <summary>A session's end: its writes are sent (within the timings' bound), and the user's instance is let go when nothing holds it.</summary>
    internal async Task ReleaseAsync(UserStorage storage)
    {
        try
        {
            await storage.FlushAtEndAsync().ConfigureAwait(false);
        }
        finally
        {
            storage.Unhold();
            Retire(storage);
        }
    }

    /// <summary>Lets a hold go without sending anything (a hold taken twice by a race).</summary>
    internal void Release(UserStorage storage) => storage.Unhold();

    /// <summary>Forgets a user's instance that nothing holds and that has nothing left to send; the next use reads the cloud again.</summary>
    internal void Retire(UserStorage storage)
    {
        if (storage.TryRetire())
        {
            _users.TryRemove(new KeyValuePair<string, UserStorage>(storage.UserId, storage));
        }
    }

    /// <summary>Sends every user's pending writes now; throws the first failure after trying them all.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        List<Exception>? failures = null;
        foreach (UserStorage storage in _users.Values)
        {
            try
            {
                await storage.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MentraStorageException e)
            {
                (failures ??= []).Add(e);
            }
        }

        if (failures is { Count: > 0 })
        {
            throw failures.Count == 1 ? failures[0] : new AggregateException("Some users' storage writes could not be saved.", failures);
        }
    }

    /// <summary>How many users' values are held in memory now.</summary>
    internal int Count => _users.Count;

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host stops: every pending write is sent (a failure is logged with the writes it kept; nothing else can hold them then).</summary>
    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        foreach (UserStorage storage in _users.Values)
        {
            await storage.FlushAtEndAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (UserStorage storage in _users.Values)
        {
            storage.StopTimer();
        }

        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}

/// <summary>The storage's timings: the batching (the TypeScript SDK's 3 s idle, 10 s at most) and the retries.</summary>
internal sealed record StorageTimings(TimeSpan Idle, TimeSpan MaxWait, TimeSpan FirstRetry, TimeSpan MaxRetry, int Attempts, TimeSpan EndBound)
{
    public static StorageTimings Default { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 6, TimeSpan.FromSeconds(10));
}

/// <summary>A call to the cloud's storage that failed: the value or the user's total is too large, too many calls, or another refusal.</summary>
public sealed class MentraStorageException : Exception
{
    /// <summary>Makes the exception.</summary>
    public MentraStorageException(string message, int? statusCode = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
    }

    /// <summary>The cloud's HTTP status (413: the user's values exceed 1 MB; 429: too many calls); null when the cloud was not reached.</summary>
    public int? StatusCode { get; }
}
