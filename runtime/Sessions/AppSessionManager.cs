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
    private readonly IWebhookDispatcher _dispatcher;
    private readonly IServiceProvider _services;
    private readonly ActiveSessionRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly MentraOptions _options;
    private SessionOptions? _sessionOptions;
    private readonly MentraMetrics _metrics;

    // Made once and shared by every session: the end callback, and the URL the cloud sends in every session_request.
    private readonly Func<AppSession, AppSessionEnd, bool, Task> _onEnded;
    private Uri? _lastUrl;

    public AppSessionManager(IWebhookDispatcher dispatcher, IServiceProvider services, ActiveSessionRegistry registry, TimeProvider time, IOptions<MentraOptions> options, ILoggerFactory loggers, MentraMetrics metrics)
    {
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
        };
        set => _sessionOptions = value;
    }

    /// <summary>
    /// Connects a session the app accepted and waits for the ack. A live session with the same id is released first
    /// (<c>ownership_release</c>, then closed; its stop handler does not run: the session goes on in the new socket).
    /// Returns null when the ack arrived, else why not.
    /// </summary>
    public async Task<string?> StartAsync(string sessionId, string userId, string webSocketUrl, CancellationToken cancellationToken)
    {
        var session = new AppSession(sessionId, userId, Url(webSocketUrl), SessionOptions, _logger);
        if (Handlers is { } handlers)
        {
            session.Routes.Declare(handlers.Subscriptions);
            handlers.Attach(session, _services);
        }

        if (_sessions.TryRemove(sessionId, out AppSession? old))
        {
            _registry.Stop(sessionId);
            await old.StopAsync(new AppSessionEnd("Replaced by a new session_request"), runStopHandler: false, release: OwnershipReleaseReason.SwitchingClouds).ConfigureAwait(false);
        }

        try
        {
            await session.ConnectAsync(_onEnded, cancellationToken).ConfigureAwait(false);
        }
        catch (AppSessionConnectException e)
        {
            Log.SessionConnectFailed(_logger, sessionId, e.Message);
            return e.Message;
        }

        _stopped.TryRemove(sessionId, out _);
        _sessions[sessionId] = session;
        _registry.Start(sessionId, userId, webSocketUrl);
        Log.SessionConnected(_logger, sessionId, _registry.Count);
        return null;
    }

    /// <summary>
    /// A stop webhook: ends the live session (its stop handler is the webhook's own) and says whether the app's stop
    /// handler should run, false when the session already stopped over the socket and its handler has run.
    /// </summary>
    public async Task<bool> StopFromWebhookAsync(string sessionId)
    {
        if (_sessions.TryRemove(sessionId, out AppSession? session))
        {
            Remember(sessionId);
            await session.StopAsync(new AppSessionEnd("Stop webhook"), runStopHandler: false, release: null).ConfigureAwait(false);
            return true;
        }

        return !_stopped.ContainsKey(sessionId);
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
        if (_sessions.TryRemove(new KeyValuePair<string, AppSession>(session.SessionId, session)))
        {
            _registry.Stop(session.SessionId);
        }

        Log.SessionEnded(_logger, session.SessionId, end.Reason);
        if (!runStopHandler || !Remember(session.SessionId))
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

    /// <summary>Remembers a stopped id; false when it was already remembered (its stop handler has run).</summary>
    private bool Remember(string sessionId)
    {
        long now = _time.GetTimestamp();
        if (_stopped.Count > 10_000)
        {
            foreach (KeyValuePair<string, long> entry in _stopped)
            {
                if (_time.GetElapsedTime(entry.Value, now) > StoppedMemory)
                {
                    _stopped.TryRemove(entry);
                }
            }
        }

        return _stopped.TryAdd(sessionId, now);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Enabled && string.IsNullOrEmpty(_options.ApiKey))
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(MentraOptions), ["The app connects sessions, but its API key is not set: set the MENTRAOS_API_KEY environment variable, or Mentra:ApiKey in configuration."]);
        }

        return Task.CompletedTask;
    }

    /// <summary>Closes every socket without <c>ownership_release</c> and without stop handlers: the cloud restores the sessions later.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<AppSession> sessions = [.. _sessions.Values];
        _sessions.Clear();
        await Task.WhenAll(sessions.Select(s => s.StopAsync(new AppSessionEnd("Host stopping"), runStopHandler: false, release: null))).ConfigureAwait(false);
    }
}
