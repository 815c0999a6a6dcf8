using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Sessions;

/// <summary>A camera stream that failed to start, or that the cloud reported in error.</summary>
public sealed class StreamException : Exception
{
    /// <summary>Makes the exception for a stream that ended in <paramref name="status"/>.</summary>
    public StreamException(string status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <summary>The stream's last status, for example <c>error</c> or <c>stopped</c>.</summary>
    public string Status { get; }
}

/// <summary>
/// Camera streaming: an unmanaged stream to the app's own RTMP URL, or a stream the cloud manages (HLS, DASH, WebRTC,
/// restreams). Each start waits until the stream is live and fails clearly when it is not; each stop is safe at any time,
/// after the session's end included; the last status of each is readable, and handlers see each status once.
/// </summary>
public sealed partial class AppSession
{
    private const string RtmpStartKey = "\u0001rtmp_stream";
    private const string ManagedStartKey = "\u0001managed_stream";
    private const string StreamCheckKey = "\u0001stream_status_check";
    /// <summary>The streams' state, made at the first use: an idle session that never streams holds one empty field.</summary>
    private StreamState? _streams;

    private StreamState Streams => LazyInitializer.EnsureInitialized(ref _streams);

    private sealed class StreamState
    {
        public RtmpStreamStatus? Rtmp;
        public ManagedStreamStatus? Managed;
        public Task<object>? Check;
        public HashSet<string>? Refused;
    }

    /// <summary>How long a stream's start waits to be live by default (the TypeScript SDK's 30 s).</summary>
    private static readonly TimeSpan StreamStartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a stream check waits for its answer by default (the TypeScript SDK's 5 s).</summary>
    private static readonly TimeSpan StreamCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The unmanaged stream's last status, as the cloud sent it; null before any.</summary>
    public RtmpStreamStatus? RtmpStream => Volatile.Read(ref _streams) is { } streams ? Volatile.Read(ref streams.Rtmp) : null;

    /// <summary>The managed stream's last status, with its URLs once active; null before any.</summary>
    public ManagedStreamStatus? ManagedStream => Volatile.Read(ref _streams) is { } streams ? Volatile.Read(ref streams.Managed) : null;

    /// <summary>
    /// Streams the glasses' camera to <paramref name="rtmpUrl"/> (an unmanaged stream), and returns once the cloud reports it
    /// live (<c>streaming</c> or <c>active</c>). Throws <see cref="StreamException"/> when it reports <c>error</c>,
    /// <c>stopped</c>, <c>timeout</c> or <c>reconnect_failed</c> first, and <see cref="TimeoutException"/> when it is not
    /// live within <paramref name="timeout"/> (default 30 s; the stream is then stopped). <see cref="StopRtmpStreamAsync"/> stops it.
    /// </summary>
    public async Task<RtmpStreamStatus> StartRtmpStreamAsync(string rtmpUrl, VideoConfig? video = null, AudioConfig? audio = null, StreamConfig? stream = null, bool? sound = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rtmpUrl);
        if (RtmpStream is { } current && IsLive(current.Status.Value))
        {
            throw new InvalidOperationException($"The session already streams (stream '{current.StreamId}'); stop it first.");
        }

        var request = new RtmpStreamRequest { PackageName = PackageName, SessionId = SessionId, RtmpUrl = rtmpUrl, Video = video, Audio = audio, Stream = stream, Sound = sound, Timestamp = Now() };
        return (RtmpStreamStatus)await StartStreamAsync(RtmpStartKey, "RTMP stream", "an RTMP stream", request, () => RtmpStream?.Status.Value, StopRtmpStreamAsync, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the unmanaged stream. Safe at any time: with no stream, or once the session has ended (in a stop handler whose
    /// socket is already closed, for example), it does nothing and does not throw.
    /// </summary>
    public ValueTask StopRtmpStreamAsync(CancellationToken cancellationToken = default) =>
        SendUnlessEndedAsync(new RtmpStreamStop { PackageName = PackageName, SessionId = SessionId, StreamId = RtmpStream?.StreamId, Timestamp = Now() }, cancellationToken);

    /// <summary>
    /// Starts a stream the cloud manages and returns its status once it is active, with its URLs (<c>HlsUrl</c>,
    /// <c>DashUrl</c>, and <c>WebrtcUrl</c> when <paramref name="enableWebRtc"/>); the cloud also sends it to each of
    /// <paramref name="restreamDestinations"/>. <paramref name="quality"/> is for example <c>720p</c> or <c>1080p</c>.
    /// Throws <see cref="StreamException"/> when the cloud reports <c>error</c> or <c>stopped</c> first, and
    /// <see cref="TimeoutException"/> when it is not active within <paramref name="timeout"/> (default 30 s; the stream is
    /// then stopped). <see cref="StopManagedStreamAsync"/> stops it.
    /// </summary>
    public async Task<ManagedStreamStatus> StartManagedStreamAsync(string? quality = null, bool enableWebRtc = false, IReadOnlyList<RestreamDestination>? restreamDestinations = null, VideoConfig? video = null, AudioConfig? audio = null, StreamConfig? stream = null, bool? sound = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (ManagedStream is { } current && current.Status == ManagedStreamState.Active)
        {
            throw new InvalidOperationException($"The session already has a managed stream (stream '{current.StreamId}'); stop it first.");
        }

        var request = new ManagedStreamRequest { PackageName = PackageName, Quality = quality, EnableWebRTC = enableWebRtc, RestreamDestinations = restreamDestinations, Video = video, Audio = audio, Stream = stream, Sound = sound, Timestamp = Now() };
        return (ManagedStreamStatus)await StartStreamAsync(ManagedStartKey, "managed stream", "a managed stream", request, () => ManagedStream?.Status.Value, StopManagedStreamAsync, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the managed stream. Safe at any time, like <see cref="StopRtmpStreamAsync"/>.</summary>
    public ValueTask StopManagedStreamAsync(CancellationToken cancellationToken = default) =>
        SendUnlessEndedAsync(new ManagedStreamStop { PackageName = PackageName, Timestamp = Now() }, cancellationToken);

    /// <summary>
    /// Asks the cloud whether the app already has a stream (one started by an earlier session, for example), and returns
    /// its answer; <see cref="TimeoutException"/> after <paramref name="timeout"/> (default 5 s). The cloud's answer names no
    /// request, so calls made while one is pending share its answer.
    /// </summary>
    public async Task<StreamStatusCheckResponse> CheckStreamAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Task<object> pending;
        bool ask = false;
        StreamState streams = Streams;
        lock (streams)
        {
            if (streams.Check is null || streams.Check.IsCompleted)
            {
                streams.Check = Expect(StreamCheckKey);
                ask = true;
            }

            pending = streams.Check;
        }

        if (ask)
        {
            try
            {
                await SendAsync(new StreamStatusCheck { PackageName = PackageName, SessionId = SessionId, Timestamp = Now() }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Fail(StreamCheckKey, e); // the calls that share this check see why it was not sent
                throw;
            }
        }

        TimeSpan limit = timeout ?? StreamCheckTimeout;
        try
        {
            return (StreamStatusCheckResponse)await pending.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Fail(StreamCheckKey, new TimeoutException($"No stream_status_check_response within {limit.TotalSeconds:0.#} s."));
            throw new TimeoutException($"No stream_status_check_response within {limit.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>
    /// A stream's start (<paramref name="what"/>, "<paramref name="aWhat"/>" in a sentence), one at a time (the cloud's
    /// statuses name no request): <paramref name="request"/> sent, then the wait
    /// until <see cref="Apply(RtmpStreamStatus)"/> or <see cref="Apply(ManagedStreamStatus)"/> settles it; a start not live
    /// within the timeout is stopped with <paramref name="stop"/>. Answered, failed, timed out or never sent, the wait goes,
    /// so that the next start may.
    /// </summary>
    private async Task<object> StartStreamAsync(string key, string what, string aWhat, AppMessage request, Func<string?> last, Func<CancellationToken, ValueTask> stop, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Task<object> live;
        lock (Streams)
        {
            if (_pending is { } pending && pending.ContainsKey(key))
            {
                throw new InvalidOperationException($"The session is already starting {aWhat}; wait for that start to finish.");
            }

            live = Expect(key);
        }

        TimeSpan limit = timeout ?? StreamStartTimeout;
        try
        {
            await SendAsync(request, cancellationToken).ConfigureAwait(false);
            return await live.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The status it had when the time ran out: the stop's own answers (stopping, stopped) may arrive before it returns.
            string status = last() ?? "none";
            await stop(CancellationToken.None).ConfigureAwait(false);
            throw new TimeoutException($"The {what} was not live within {limit.TotalSeconds:0.#} s (last status: {status}).");
        }
        finally
        {
            _pending?.TryRemove(key, out _);
        }
    }

    /// <summary>Sends a stop unless the session has ended, when the stream ended with it; a socket that breaks meanwhile is not an error either.</summary>
    private async ValueTask SendUnlessEndedAsync(AppMessage stop, CancellationToken cancellationToken)
    {
        if (End is not null)
        {
            return;
        }

        try
        {
            await SendAsync(stop, cancellationToken).ConfigureAwait(false);
        }
        catch (AppSessionEndedException)
        {
            // Ended while the stop waited for a socket: the cloud ends the session's streams with it.
        }
    }

    private static bool IsLive(string status) => status is "streaming" or "active" or "reconnected";

    private static bool HasEnded(string status) => status is "error" or "stopped" or "timeout" or "reconnect_failed" or "disconnected";

    /// <summary>
    /// Applies an unmanaged stream's status: settles a start waiting for it, and returns whether handlers should see it
    /// (false for a repeat of the last status of the same stream, which the cloud sends, with new statistics or without).
    /// </summary>
    private bool Apply(RtmpStreamStatus status)
    {
        RtmpStreamStatus? last = Interlocked.Exchange(ref Streams.Rtmp, status);
        string state = status.Status.Value;
        if (IsLive(state))
        {
            Complete(RtmpStartKey, status);
        }
        else if (HasEnded(state))
        {
            Fail(RtmpStartKey, new StreamException(state, $"The RTMP stream did not start: {state}{(status.ErrorDetails is { Length: > 0 } details ? " (" + details + ")" : string.Empty)}."));
        }

        return last is null || last.Status != status.Status || last.StreamId != status.StreamId;
    }

    /// <summary>Applies a managed stream's status, as <see cref="Apply(RtmpStreamStatus)"/> does.</summary>
    private bool Apply(ManagedStreamStatus status)
    {
        ManagedStreamStatus? last = Interlocked.Exchange(ref Streams.Managed, status);
        if (status.Status == ManagedStreamState.Active && (status.HlsUrl ?? status.DashUrl ?? status.WebrtcUrl) is not null)
        {
            Complete(ManagedStartKey, status);
        }
        else if (status.Status == ManagedStreamState.Error || status.Status == ManagedStreamState.Stopped)
        {
            Fail(ManagedStartKey, new StreamException(status.Status.Value, $"The managed stream did not start: {status.Status.Value}{(status.Message is { Length: > 0 } message ? " (" + message + ")" : string.Empty)}."));
        }

        return last is null || last.Status != status.Status || last.StreamId != status.StreamId;
    }

    /// <summary>Logs each stream the cloud refused for a missing permission once per session, whatever the cloud repeats.</summary>
    private void Apply(PermissionError error)
    {
        foreach (PermissionDetail detail in error.Details ?? [])
        {
            string stream = detail.Stream ?? "(unnamed)";
            if ((Streams.Refused ??= new HashSet<string>(StringComparer.Ordinal)).Add(stream))
            {
                Log.PermissionRefused(_logger, SessionId, stream, detail.RequiredPermission ?? "(unnamed)", detail.Message ?? error.Message ?? string.Empty);
            }
        }
    }
}
