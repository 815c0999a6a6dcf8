using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Emulator;

/// <summary>
/// The cloud's side of the app's camera streams: an unmanaged stream goes <c>initializing</c>, then <c>streaming</c> (or
/// <c>error</c>, as <see cref="EmulatorOptions.StreamError"/> says); a managed one <c>initializing</c>, <c>preparing</c>, then
/// <c>active</c> with its URLs on the emulator's host; a stop answers <c>stopped</c>. The cloud repeats a live status, as
/// the real one does (the app must raise one event for it).
/// </summary>
public sealed class EmulatedStreams
{
    private readonly EmulatedSession _session;
    private readonly CloudEmulator _cloud;
    private readonly object _gate = new();
    private int _next;

    internal EmulatedStreams(EmulatedSession session, CloudEmulator cloud) => (_session, _cloud) = (session, cloud);

    /// <summary>The unmanaged stream's last status sent, if the app started one.</summary>
    public RtmpStreamStatus? Rtmp { get; private set; }

    /// <summary>The managed stream's last status sent, if the app started one.</summary>
    public ManagedStreamStatus? Managed { get; private set; }

    /// <summary>The RTMP URL of the app's last unmanaged stream.</summary>
    public string? RtmpUrl { get; private set; }

    internal async Task HandleAsync(EmulatedConnection connection, AppMessage message, EmulatorOptions options)
    {
        switch (message)
        {
            case RtmpStreamRequest request:
                RtmpUrl = request.RtmpUrl;
                string rtmpId = "rtmp-" + Next();
                await SendAsync(connection, options, new RtmpStreamStatus { StreamId = rtmpId, Status = RtmpStreamState.Initializing, AppId = request.PackageName, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                _ = LaterAsync(connection, options, () => options.StreamError is { } error
                    ? [new RtmpStreamStatus { StreamId = rtmpId, Status = RtmpStreamState.Error, ErrorDetails = error, AppId = request.PackageName, Timestamp = CloudEmulator.Now() }]
                    : [Live(rtmpId, request.PackageName, 1), Live(rtmpId, request.PackageName, 2)]);
                break;
            case RtmpStreamStop stop:
                await SendAsync(connection, options, new RtmpStreamStatus { StreamId = stop.StreamId ?? Rtmp?.StreamId, Status = RtmpStreamState.Stopped, AppId = stop.PackageName, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                break;
            case ManagedStreamRequest request:
                string id = "managed-" + Next();
                await SendAsync(connection, options, new ManagedStreamStatus { StreamId = id, Status = ManagedStreamState.Initializing, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                _ = LaterAsync(connection, options, () => options.StreamError is { } error
                    ? [new ManagedStreamStatus { StreamId = id, Status = ManagedStreamState.Error, Message = error, Timestamp = CloudEmulator.Now() }]
                    : [new ManagedStreamStatus { StreamId = id, Status = ManagedStreamState.Preparing, Timestamp = CloudEmulator.Now() }, Active(id, request), Active(id, request)]);
                break;
            case ManagedStreamStop:
                await SendAsync(connection, options, new ManagedStreamStatus { StreamId = Managed?.StreamId, Status = ManagedStreamState.Stopping, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                await SendAsync(connection, options, new ManagedStreamStatus { StreamId = Managed?.StreamId, Status = ManagedStreamState.Stopped, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
                break;
            case StreamStatusCheck:
                await connection.SendAsync(Check()).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Fails whichever stream is live with <paramref name="details"/>.</summary>
    internal async Task FailAsync(EmulatedConnection connection, string details)
    {
        if (Rtmp is { } rtmp && rtmp.Status != RtmpStreamState.Stopped && rtmp.Status != RtmpStreamState.Error)
        {
            await SendAsync(connection, null, rtmp with { Status = RtmpStreamState.Error, ErrorDetails = details, Stats = null, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
        }

        if (Managed is { } managed && managed.Status != ManagedStreamState.Stopped && managed.Status != ManagedStreamState.Error)
        {
            await SendAsync(connection, null, new ManagedStreamStatus { StreamId = managed.StreamId, Status = ManagedStreamState.Error, Message = details, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
        }
    }

    private RtmpStreamStatus Live(string id, string app, int seconds) =>
        new() { StreamId = id, Status = RtmpStreamState.Streaming, AppId = app, Stats = new StreamStats { Bitrate = 2_000_000, Fps = 30, DroppedFrames = 0, Duration = seconds }, Timestamp = CloudEmulator.Now() };

    private ManagedStreamStatus Active(string id, ManagedStreamRequest request)
    {
        string root = _cloud.BaseUrl + "streams/" + id + "/";
        return new ManagedStreamStatus
        {
            StreamId = id,
            Status = ManagedStreamState.Active,
            HlsUrl = root + "index.m3u8",
            DashUrl = root + "manifest.mpd",
            WebrtcUrl = request.EnableWebRTC == true ? root + "webrtc" : null,
            PreviewUrl = root + "preview",
            ThumbnailUrl = root + "thumbnail.jpg",
            Outputs = request.RestreamDestinations?.Select(d => new StreamOutput { Url = d.Url, Name = d.Name, Status = "active" }).ToList(),
            Timestamp = CloudEmulator.Now(),
        };
    }

    private StreamStatusCheckResponse Check()
    {
        if (Managed is { } managed && managed.Status == ManagedStreamState.Active)
        {
            return new StreamStatusCheckResponse { HasActiveStream = true, StreamInfo = new StreamInfo { Type = "managed", StreamId = managed.StreamId, Status = "active", HlsUrl = managed.HlsUrl, DashUrl = managed.DashUrl, WebrtcUrl = managed.WebrtcUrl, RequestingAppId = _cloud.PackageName }, Timestamp = CloudEmulator.Now() };
        }

        if (Rtmp is { } rtmp && rtmp.Status == RtmpStreamState.Streaming)
        {
            return new StreamStatusCheckResponse { HasActiveStream = true, StreamInfo = new StreamInfo { Type = "unmanaged", StreamId = rtmp.StreamId, Status = "streaming", RtmpUrl = RtmpUrl, StreamUrl = RtmpUrl, RequestingAppId = _cloud.PackageName }, Timestamp = CloudEmulator.Now() };
        }

        return new StreamStatusCheckResponse { HasActiveStream = false, Timestamp = CloudEmulator.Now() };
    }

    /// <summary>The statuses that follow the start, after the camera's start-up time; none when this cloud's streams never go live.</summary>
    private async Task LaterAsync(EmulatedConnection connection, EmulatorOptions options, Func<IReadOnlyList<CloudMessage>> statuses)
    {
        if (!options.StartStreams)
        {
            return;
        }

        try
        {
            await Task.Delay(options.StreamStartDelay).ConfigureAwait(false);
            foreach (CloudMessage status in statuses())
            {
                await SendAsync(connection, options, status).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The socket went meanwhile: the cloud ends the session's streams with it.
        }
    }

    private async Task SendAsync(EmulatedConnection connection, EmulatorOptions? options, CloudMessage status)
    {
        lock (_gate)
        {
            switch (status)
            {
                case RtmpStreamStatus rtmp:
                    Rtmp = rtmp;
                    break;
                case ManagedStreamStatus managed:
                    Managed = managed;
                    break;
            }
        }

        await connection.SendAsync(status).ConfigureAwait(false);
        (options ?? _cloud.Options).OnStreamStatus?.Invoke(_session, status switch
        {
            RtmpStreamStatus rtmp => $"RTMP stream {rtmp.StreamId}: {rtmp.Status.Value}{(rtmp.ErrorDetails is { } e ? " (" + e + ")" : string.Empty)}",
            ManagedStreamStatus managed => $"Managed stream {managed.StreamId}: {managed.Status.Value}{(managed.HlsUrl is { } hls ? " " + hls : string.Empty)}{(managed.Message is { } m ? " (" + m + ")" : string.Empty)}",
            _ => status.Type,
        });
    }

    private int Next()
    {
        lock (_gate)
        {
            return ++_next;
        }
    }
}

/// <summary>Which streams need which permission, as the cloud checks them (the SDKs' permission hints).</summary>
internal static class Permissions
{
    /// <summary>The permission a stream needs, or null.</summary>
    public static string? Of(string stream) => stream switch
    {
        _ when stream.StartsWith("transcription", StringComparison.Ordinal) || stream.StartsWith("translation", StringComparison.Ordinal) || stream is "audio_chunk" or "VAD" => "MICROPHONE",
        _ when stream.StartsWith("location", StringComparison.Ordinal) => "LOCATION",
        _ when stream.StartsWith("phone_notification", StringComparison.Ordinal) => "READ_NOTIFICATIONS",
        "calendar_event" => "CALENDAR",
        "photo_taken" or "rtmp_stream_status" or "managed_stream_status" => "CAMERA",
        _ => null,
    };

    /// <summary>The <c>permission_error</c> that refuses those of <paramref name="subscriptions"/> needing one of <paramref name="denied"/>; null when none does.</summary>
    public static PermissionError? Refused(IReadOnlyList<Subscription> subscriptions, IReadOnlyList<string> denied)
    {
        var details = new List<PermissionDetail>();
        foreach (Subscription subscription in subscriptions)
        {
            string stream = subscription.Stream ?? "location_stream";
            if (Of(stream) is { } permission && denied.Contains(permission, StringComparer.OrdinalIgnoreCase))
            {
                details.Add(new PermissionDetail { Stream = stream, RequiredPermission = permission, Message = $"The user has not granted {permission}." });
            }
        }

        return details.Count == 0 ? null : new PermissionError { Message = "Some subscriptions were rejected", Details = details, Timestamp = CloudEmulator.Now() };
    }
}
