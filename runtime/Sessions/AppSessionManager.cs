using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mentra.Generated.Sessions;

/// <summary>
/// The live app sessions of this server. A session counts (in <see cref="IActiveSessions"/> and <c>/health</c>) only
/// once the cloud has acked it; one that never gets an ack is dropped, so forged webhooks cannot pile sessions up.
/// The app's stop handler runs exactly once per session, whichever comes first: the stop webhook, <c>app_stopped</c>
/// and its close, the end of the user session, or a lost connection. The host's shutdown closes every socket without
/// <c>ownership_release</c>, so the cloud brings the sessions back when the server returns.
/// </summary>
internal sealed class AppSessionManager : IHostedService
{
    /// <summary>How long a stopped session's id is remembered, to recognise a stop webhook that arrives after the socket's stop.</summary>
    private static readonly TimeSpan StoppedMemory = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, AppSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _stopped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingStart> _starting = new(StringComparer.Ordinal);
    private readonly IWebhookDispatcher _dispatcher;
    private readonly IServiceProvider _services;
    private readonly ActiveSessionRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly MentraOptions _options;
    private SessionOptions? _sessionOptions;
    private readonly MentraMetrics _metrics;
    private readonly HostLogLimits _logLimits;
    private readonly Coordination.SessionCoordinator _coordinator;

    // Made once and shared by every session: the end callback, and the URL the cloud sends in every session_request.
    private readonly Func<AppSession, AppSessionEnd, bool, Task> _onEnded;
    private Uri? _lastUrl;

    public AppSessionManager(IWebhookDispatcher dispatcher, IServiceProvider services, ActiveSessionRegistry registry, TimeProvider time, IOptions<MentraOptions> options, ILoggerFactory loggers, MentraMetrics metrics, HostLogLimits logLimits, Coordination.SessionCoordinator coordinator)
    {
        _coordinator = coordinator;
        _logLimits = logLimits;
        _metrics = metrics;
        _dispatcher = dispatcher;
        _services = services;
        _registry = registry;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Mentra.Generated.Sessions");
        _options = options.Value;
        Handlers = dispatcher.SessionHandlers;
        Enabled = _options.ConnectAppSessions ?? Handlers is not null;
        _onEnded = OnEndedAsync;
    }

    /// <summary>Whether accepted sessions connect their WebSocket: the app has session handlers, or the options say so.</summary>
    public bool Enabled { get; }

    public AppSessionHandlers? Handlers { get; }

    /// <summary>The live session with this id.</summary>
    public AppSession? Find(string sessionId) => _sessions.TryGetValue(sessionId, out AppSession? session) ? session : null;

    /// <summary>Whether this replica holds the session of this id, live or still connecting.</summary>
    public bool Holds(string sessionId) => _sessions.ContainsKey(sessionId) || _starting.ContainsKey(sessionId);

    /// <summary>The coordinator of this app's replicas (one replica by default).</summary>
    public Coordination.SessionCoordinator Coordinator => _coordinator;

    /// <summary>The sessions this replica holds, with their users (for the coordinator's leases).</summary>
    public IReadOnlyList<(string SessionId, string UserId)> OwnedSessions()
    {
        var owned = new List<(string, string)>(_sessions.Count);
        foreach (KeyValuePair<string, AppSession> entry in _sessions)
        {
            owned.Add((entry.Key, entry.Value.UserId));
        }

        return owned;
    }

    /// <summary>
    /// Gives a live session up without its stop handler, as the coordinator asks: taken over by another replica
    /// (<c>ownership_release</c>, then closed), or its lease lost (closed without release: the cloud brings it back).
    /// </summary>
    public async Task GiveUpAsync(string sessionId, bool takenOver)
    {
        AppSession? live;
        lock (Gate(sessionId))
        {
            if (_sessions.TryRemove(sessionId, out live))
            {
                _registry.Stop(sessionId);
            }
        }

        if (live is null)
        {
            return;
        }

        if (takenOver)
        {
            Log.SessionTakenOver(_logger, sessionId);
            await live.StopAsync(new AppSessionEnd("Taken over by another replica"), runStopHandler: false, release: OwnershipReleaseReason.SwitchingClouds).ConfigureAwait(false);
        }
        else
        {
            Log.SessionLeaseLost(_logger, sessionId);
            await live.StopAsync(new AppSessionEnd("Lease lost"), runStopHandler: false, release: null).ConfigureAwait(false);
        }
    }

    /// <summary>The live sessions of the user <paramref name="userId"/> (one per app, unless the cloud is moving it).</summary>
    public List<AppSession> ForUser(string userId)
    {
        var found = new List<AppSession>();
        foreach (AppSession session in _sessions.Values)
        {
            if (string.Equals(session.UserId, userId, StringComparison.Ordinal) && session.State != AppSessionState.Ended)
            {
                found.Add(session);
            }
        }

        return found;
    }

    /// <summary>The user's live session: a connected one, else one that is reconnecting; null when they have none.</summary>
    public AppSession? LiveSessionOf(string userId)
    {
        AppSession? found = null;
        foreach (AppSession session in ForUser(userId))
        {
            if (session.State == AppSessionState.Connected)
            {
                return session;
            }

            found ??= session;
        }

        return found;
    }

    /// <summary>The cloud's settings push for <paramref name="userId"/>, applied to each of their live sessions; how many took it.</summary>
    public int PushSettings(string userId, IReadOnlyList<AppSetting> settings)
    {
        int updated = 0;
        foreach (AppSession session in ForUser(userId))
        {
            updated += session.PushSettings(settings) ? 1 : 0;
        }

        return updated;
    }

    /// <summary>For tests and the emulator: how sockets are opened and the timings.</summary>
    internal SessionOptions SessionOptions
    {
        get => _sessionOptions ??= new SessionOptions
        {
            PackageName = _options.PackageName ?? string.Empty,
            ApiKey = _options.ApiKey ?? string.Empty,
            AckTimeout = _options.SessionAckTimeout,
            MaxMessageBytes = _options.MaxSessionMessageBytes,
            Metrics = _metrics,
            Reconnect = _options.ReconnectPolicy ?? ReconnectSchedule.Default,
            ReconnectGrace = _options.ReconnectGrace,
            KeepAliveInterval = _options.SessionKeepAliveInterval,
            Storage = _services.GetService<Storage.MentraStorage>(),
            Photos = new PhotoUploads { Coordinator = _coordinator.Distributed ? _coordinator : null },
        };
        set => _sessionOptions = value;
    }

    /// <summary>
    /// Connects a session the app accepted and waits for the ack; returns null when the ack arrived, else why not. One id
    /// has one live socket whatever the timing:
    /// <list type="bullet">
    /// <item>A request for an id that is being connected to the same URL (the cloud's retry of a webhook that took long)
    /// is answered with that connect's outcome; to another URL, it waits for that connect, then takes over.</item>
    /// <item>A live session with the same id is kept until the new socket is acked; only then is it released
    /// (<c>ownership_release</c>, then closed, without its stop handler: the session goes on in the new socket). A new
    /// connect that fails leaves the live session as it was.</item>
    /// <item>A session that fails to connect ends (its end handlers run and its app instance is disposed); when no live
    /// session of that id is left, the app's stop handler runs once, with reason <c>error</c>.</item>
    /// </list>
    /// </summary>
    public async Task<string?> StartAsync(string sessionId, string userId, string webSocketUrl, CancellationToken cancellationToken)
    {
        while (true)
        {
            var start = new PendingStart(webSocketUrl);
            PendingStart current;
            lock (Gate(sessionId))
            {
                current = _starting.GetOrAdd(sessionId, start);
            }

            if (ReferenceEquals(current, start))
            {
                return await ConnectAsync(start, sessionId, userId).ConfigureAwait(false);
            }

            string? outcome = await current.Outcome.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (string.Equals(current.Url, webSocketUrl, StringComparison.Ordinal))
            {
                return outcome;
            }
        }
    }

    private async Task<string?> ConnectAsync(PendingStart start, string sessionId, string userId)
    {
        string? outcome = null;
        try
        {
            outcome = await ConnectCoreAsync(start, sessionId, userId).ConfigureAwait(false);
            return outcome;
        }
        catch (Exception)
        {
            outcome = "the app server failed to connect the session";
            throw;
        }
        finally
        {
            lock (Gate(sessionId))
            {
                _starting.TryRemove(new KeyValuePair<string, PendingStart>(sessionId, start));
            }

            start.Outcome.TrySetResult(outcome);
        }
    }

    private async Task<string?> ConnectCoreAsync(PendingStart start, string sessionId, string userId)
    {
        var session = new AppSession(sessionId, userId, Url(start.Url), SessionOptions, _logger);
        lock (Gate(sessionId))
        {
            if (start.Stopped)
            {
                return StoppedBeforeConnect; // the stop webhook came first, and its handler was the session's end
            }

            start.Session = session;
        }

        if (Handlers is { } handlers)
        {
            session.Routes.Declare(handlers.Subscriptions);
            handlers.Attach(session, _services);
        }

        try
        {
            await session.ConnectAsync(_onEnded).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var refused = e as AppSessionConnectException;
            string reason = refused?.Message ?? "The session could not be connected (" + e.GetType().Name + ").";
            if (Log.Limited(_logger, _logLimits, HostWarning.SessionConnectFailed))
            {
                Log.SessionConnectFailed(_logger, sessionId, reason);
            }

            bool live;
            lock (Gate(sessionId))
            {
                live = _sessions.ContainsKey(sessionId);
            }

            await session.StopAsync(new AppSessionEnd(reason, Error: refused?.Error), runStopHandler: !live, release: null).ConfigureAwait(false);
            if (refused is null)
            {
                throw;
            }

            return reason;
        }

        AppSession? old;
        lock (Gate(sessionId))
        {
            if (session.End is not null)
            {
                return StoppedBeforeConnect; // ended between the ack and here: a stop webhook, or the socket's end
            }

            old = _sessions.TryGetValue(sessionId, out AppSession? live) ? live : null;
            _sessions[sessionId] = session;
            _stopped.TryRemove(sessionId, out _);
            _registry.Add(sessionId, userId, start.Url, withSocket: true);
        }

        if (old is not null)
        {
            await old.StopAsync(new AppSessionEnd("Replaced by a new session_request"), runStopHandler: false, release: OwnershipReleaseReason.SwitchingClouds).ConfigureAwait(false);
        }

        await _coordinator.OwnAsync(sessionId, userId).ConfigureAwait(false);
        Log.SessionConnected(_logger, sessionId, _registry.Count);
        return null;
    }

    private const string StoppedBeforeConnect = "the session was stopped before the cloud acknowledged it";

    /// <summary>The WebSocket URL a session webhook names (the v2 one, else the legacy one); null for other webhooks.</summary>
    public static string? UrlOf(WebhookRequest webhook) => webhook switch
    {
        SessionWebhookRequest session => session.ResolvedWebSocketUrl,
        SessionRecoveryWebhookRequest recovery => recovery.ResolvedWebSocketUrl,
        _ => null,
    };

    /// <summary>
    /// What a webhook whose handler accepted it does to the sessions; null when done, else why the session could not be
    /// connected. A <c>session_request</c> or <c>session_recovery</c> starts its session: connected, and counted once the
    /// cloud acks it (see <see cref="StartAsync(string, string, string, CancellationToken)"/>), or, when the app does not connect sessions, counted at once. Its URL
    /// has passed the URL policy, and when sessions connect, it has one (the endpoint checks both before the handler).
    /// </summary>
    public async Task<string?> AcceptedAsync(WebhookRequest webhook, CancellationToken cancellationToken)
    {
        if (webhook is not (SessionWebhookRequest or SessionRecoveryWebhookRequest))
        {
            return null;
        }

        if (Enabled)
        {
            return await StartAsync(webhook.SessionId, webhook.UserId, UrlOf(webhook)!, cancellationToken).ConfigureAwait(false);
        }

        bool replaced = _registry.Add(webhook.SessionId, webhook.UserId, UrlOf(webhook), withSocket: false);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            if (replaced)
            {
                Log.SessionReplaced(_logger, _registry.Count);
            }
            else
            {
                Log.SessionStarted(_logger, _registry.Count);
            }
        }

        return null;
    }

    /// <summary>
    /// A stop webhook, before its handler: ends the session of this id, live or still connecting (its stop handler is the
    /// webhook's own), and says whether the app's stop handler should run: true for the first stop of the id, false when it
    /// already stopped (over the socket, or by an earlier stop webhook) and its handler has run. When the app does not
    /// connect sessions, the session known from its webhook is no longer counted and the handler always runs.
    /// </summary>
    public async Task<bool> StopFromWebhookAsync(string sessionId)
    {
        if (!Enabled)
        {
            if (_registry.Stop(sessionId) && _logger.IsEnabled(LogLevel.Information))
            {
                Log.SessionStopped(_logger, _registry.Count);
            }

            return true;
        }

        AppSession? live;
        AppSession? starting = null;
        bool first;
        lock (Gate(sessionId))
        {
            first = Remember(sessionId);
            if (_sessions.TryRemove(sessionId, out live))
            {
                _registry.Stop(sessionId);
            }

            if (_starting.TryGetValue(sessionId, out PendingStart? start))
            {
                start.Stopped = true;
                starting = start.Session;
            }
        }

        var end = new AppSessionEnd("Stop webhook");
        if (live is not null)
        {
            await _coordinator.DisownAsync(sessionId).ConfigureAwait(false);
            await live.StopAsync(end, runStopHandler: false, release: null).ConfigureAwait(false);
        }

        if (starting is not null)
        {
            await starting.StopAsync(end, runStopHandler: false, release: null).ConfigureAwait(false);
        }

        return first;
    }

    /// <summary>The URL as a <see cref="Uri"/>, the same instance as the last session's when the text is the same.</summary>
    private Uri Url(string webSocketUrl)
    {
        Uri? last = Volatile.Read(ref _lastUrl);
        if (last is not null && string.Equals(last.OriginalString, webSocketUrl, StringComparison.Ordinal))
        {
            return last;
        }

        var url = new Uri(webSocketUrl);
        Volatile.Write(ref _lastUrl, url);
        return url;
    }

    private async Task OnEndedAsync(AppSession session, AppSessionEnd end, bool runStopHandler)
    {
        bool first;
        bool removed;
        lock (Gate(session.SessionId))
        {
            removed = _sessions.TryRemove(new KeyValuePair<string, AppSession>(session.SessionId, session));
            if (removed)
            {
                _registry.Stop(session.SessionId);
            }

            first = runStopHandler && Remember(session.SessionId);
        }

        if (removed)
        {
            await _coordinator.DisownAsync(session.SessionId).ConfigureAwait(false);
        }

        Log.SessionEnded(_logger, session.SessionId, end.Reason);
        if (!first)
        {
            return;
        }

        var stop = new StopWebhookRequest
        {
            SessionId = session.SessionId,
            UserId = session.UserId,
            Timestamp = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            Reason = end.Error is not null || end.CloseStatus is null ? StopReason.Error : StopReason.SystemStop,
        };
        try
        {
            await using AsyncServiceScope scope = _services.CreateAsyncScope();
            await _dispatcher.DispatchAsync(stop, scope.ServiceProvider, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.StopHandlerFailed(_logger, session.SessionId, e);
        }
    }

    /// <summary>
    /// Remembers a stopped id; false when it was already remembered (its stop handler has run). Stop webhooks carry no
    /// credential, so what is remembered has a limit and an age: at most <see cref="MaxStopped"/> ids, each for
    /// <see cref="StoppedMemory"/>, the oldest forgotten first (in the order remembered, without a walk of the map).
    /// </summary>
    private bool Remember(string sessionId)
    {
        long now = _time.GetTimestamp();
        if (!_stopped.TryAdd(sessionId, now))
        {
            return false;
        }

        // One lock for the order: callers hold only their own id's gate, and the oldest entry looked at must be the one taken.
        lock (_stoppedOrder)
        {
            _stoppedOrder.Enqueue((sessionId, now));
            while (_stoppedOrder.TryPeek(out (string Id, long At) oldest)
                && (_stoppedOrder.Count > MaxStopped || _time.GetElapsedTime(oldest.At, now) > StoppedMemory))
            {
                _stoppedOrder.Dequeue();
                _stopped.TryRemove(new KeyValuePair<string, long>(oldest.Id, oldest.At)); // unless the id was stopped again since
            }
        }

        return true;
    }

    /// <summary>The most stopped ids remembered.</summary>
    internal const int MaxStopped = 10_000;

    /// <summary>How many stopped ids are remembered now (for tests).</summary>
    internal int StoppedCount
    {
        get
        {
            lock (_stoppedOrder)
            {
                return _stoppedOrder.Count;
            }
        }
    }

    private readonly Queue<(string Id, long At)> _stoppedOrder = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Enabled && string.IsNullOrEmpty(_options.ApiKey))
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(MentraOptions), ["The app connects sessions, but its API key is not set: set the MENTRAOS_API_KEY environment variable, or Mentra:ApiKey in configuration."]);
        }

        if (_coordinator.Distributed)
        {
            _coordinator.Attach(_services.GetRequiredService<Coordination.CoordinatedReplica>());
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Closes every socket, live or still connecting, without <c>ownership_release</c> and without stop handlers (the cloud
    /// restores the sessions later), and returns once their ends' work is done.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<AppSession> sessions = [];
        foreach (KeyValuePair<string, PendingStart> entry in _starting)
        {
            lock (Gate(entry.Key))
            {
                entry.Value.Stopped = true;
                if (entry.Value.Session is { } starting)
                {
                    sessions.Add(starting);
                }
            }
        }

        foreach (KeyValuePair<string, AppSession> entry in _sessions)
        {
            lock (Gate(entry.Key))
            {
                if (_sessions.TryRemove(entry))
                {
                    sessions.Add(entry.Value);
                }
            }
        }

        await Task.WhenAll(sessions.Select(s => s.StopAsync(new AppSessionEnd("Host stopping"), runStopHandler: false, release: null))).ConfigureAwait(false);
    }

    /// <summary>
    /// The lock for every change of what holds one id (connecting, live, stopped): held only while the maps change, never
    /// across an await. Ids share a few locks, by hash.
    /// </summary>
    private object Gate(string sessionId) => _gates[(StringComparer.Ordinal.GetHashCode(sessionId) & int.MaxValue) % _gates.Length];

    private readonly object[] _gates = [.. Enumerable.Range(0, 31).Select(_ => new object())];

    /// <summary>A connect under way for one id: its URL, its session once made, whether a stop came, and its outcome.</summary>
    private sealed class PendingStart(string url)
    {
        public string Url { get; } = url;

        /// <summary>Set under the id's gate.</summary>
        public AppSession? Session { get; set; }

        /// <summary>Set under the id's gate.</summary>
        public bool Stopped { get; set; }

        public TaskCompletionSource<string?> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
