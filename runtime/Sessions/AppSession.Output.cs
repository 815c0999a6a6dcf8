using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Sessions;

/// <summary>What the app sends: layouts, dashboard text, audio, LED, location polls, photos, and any protocol message.</summary>
public sealed partial class AppSession
{
    private ConcurrentDictionary<string, TaskCompletionSource<object>>? _pending;
    private long _requests;

    /// <summary>Shows text on the glasses' main view (or <paramref name="view"/>), for <paramref name="duration"/> or until replaced.</summary>
    public ValueTask ShowTextWallAsync(string text, DisplayView? view = null, TimeSpan? duration = null, CancellationToken cancellationToken = default) =>
        ShowAsync(new TextWall { Text = text ?? string.Empty }, view, duration, cancellationToken);

    /// <summary>Shows two blocks of text, one above the other.</summary>
    public ValueTask ShowDoubleTextWallAsync(string topText, string bottomText, DisplayView? view = null, TimeSpan? duration = null, CancellationToken cancellationToken = default) =>
        ShowAsync(new DoubleTextWall { TopText = topText ?? string.Empty, BottomText = bottomText ?? string.Empty }, view, duration, cancellationToken);

    /// <summary>Shows a card with a title and text.</summary>
    public ValueTask ShowReferenceCardAsync(string title, string text, DisplayView? view = null, TimeSpan? duration = null, CancellationToken cancellationToken = default) =>
        ShowAsync(new ReferenceCard { Title = title ?? string.Empty, Text = text ?? string.Empty }, view, duration, cancellationToken);

    /// <summary>Shows two short texts side by side; on the dashboard unless <paramref name="view"/> says otherwise.</summary>
    public ValueTask ShowDashboardCardAsync(string leftText, string rightText, DisplayView? view = null, TimeSpan? duration = null, CancellationToken cancellationToken = default) =>
        ShowAsync(new DashboardCard { LeftText = leftText ?? string.Empty, RightText = rightText ?? string.Empty }, view ?? DisplayView.Dashboard, duration, cancellationToken);

    /// <summary>Shows a 1-bit BMP, base64 (at most 1 MB).</summary>
    public ValueTask ShowBitmapAsync(string base64Bitmap, DisplayView? view = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(base64Bitmap);
        if (base64Bitmap.Length > 1024 * 1024)
        {
            throw new ArgumentException("A bitmap is at most 1 MB of base64.", nameof(base64Bitmap));
        }

        return ShowAsync(new BitmapView { Data = base64Bitmap }, view, null, cancellationToken);
    }

    /// <summary>Shows bitmaps one after another, every <paramref name="interval"/>; <see cref="ClearViewAsync"/> stops it.</summary>
    public ValueTask ShowBitmapAnimationAsync(IReadOnlyList<string> frames, TimeSpan interval, bool repeat, DisplayView? view = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return ShowAsync(new BitmapAnimation { Frames = frames, Interval = (long)interval.TotalMilliseconds, Repeat = repeat }, view, null, cancellationToken);
    }

    /// <summary>Clears the view.</summary>
    public ValueTask ClearViewAsync(DisplayView? view = null, CancellationToken cancellationToken = default) =>
        ShowAsync(new ClearView(), view, null, cancellationToken);

    /// <summary>Shows any layout.</summary>
    public ValueTask ShowAsync(Layout layout, DisplayView? view = null, TimeSpan? duration = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (duration is { } d && d < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), "A duration is not negative.");
        }

        return SendAsync(
            new DisplayEvent
            {
                PackageName = PackageName,
                SessionId = SessionId,
                View = view ?? DisplayView.Main,
                Layout = layout,
                DurationMs = duration is { } shown ? (long)shown.TotalMilliseconds : null,
                Timestamp = Now(),
            },
            cancellationToken);
    }

    /// <summary>Writes the app's text on the dashboard (main mode unless <paramref name="mode"/> says expanded).</summary>
    public ValueTask WriteDashboardAsync(string content, DashboardMode? mode = null, CancellationToken cancellationToken = default) =>
        SendAsync(new DashboardContentUpdate { PackageName = PackageName, SessionId = SessionId, Content = content ?? string.Empty, Modes = [mode ?? Protocol.DashboardMode.Main], Timestamp = Now() }, cancellationToken);

    /// <summary>
    /// Plays audio from <paramref name="audioUrl"/> on the phone or glasses in place of any other audio of the app, and
    /// waits for the cloud's answer, which comes when playing ends (at most <paramref name="timeout"/>, default 60 s, then
    /// <see cref="TimeoutException"/>). To start audio without waiting, use <see cref="PlayAudioAlongsideAsync"/>.
    /// </summary>
    public async Task<AudioPlayResponse> PlayAudioAsync(string audioUrl, double volume = 1.0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(audioUrl);
        return await PlayAndWaitAsync(audioUrl, volume, trackId: null, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An audio play request in place of the app's other audio, and the wait for the cloud's answer (speech and audio alike).</summary>
    private async Task<AudioPlayResponse> PlayAndWaitAsync(string audioUrl, double volume, int? trackId, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        string id = NextId("audio_req");
        Task<object> answer = Expect(id);
        await SendAsync(AudioRequest(id, audioUrl, volume, stopOtherAudio: true, trackId), cancellationToken).ConfigureAwait(false);
        return (AudioPlayResponse)await Await(id, answer, timeout ?? _options.AudioTimeout, "audio_play_response", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts audio from <paramref name="audioUrl"/> alongside whatever the app already plays, and returns once the
    /// request is sent: it does not wait for the cloud's answer (an <see cref="AudioPlayResponse"/> that comes reaches
    /// <see cref="OnMessage{TMessage}"/> handlers). Returns the request's id.
    /// </summary>
    public async ValueTask<string> PlayAudioAlongsideAsync(string audioUrl, double volume = 1.0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(audioUrl);
        string id = NextId("audio_req");
        await SendAsync(AudioRequest(id, audioUrl, volume, stopOtherAudio: false), cancellationToken).ConfigureAwait(false);
        return id;
    }

    private AudioPlayRequest AudioRequest(string id, string audioUrl, double volume, bool stopOtherAudio, int? trackId = null) =>
        new() { PackageName = PackageName, SessionId = SessionId, RequestId = id, AudioUrl = audioUrl, Volume = volume, StopOtherAudio = stopOtherAudio, TrackId = trackId, Timestamp = Now() };

    /// <summary>Stops all of the app's audio (the cloud ignores track ids).</summary>
    public ValueTask StopAudioAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new AudioStopRequest { PackageName = PackageName, SessionId = SessionId, Timestamp = Now() }, cancellationToken);

    /// <summary>
    /// Asks the phone for one location fix and waits for the <c>location_update</c> that answers it (at most
    /// <paramref name="timeout"/>, default 15 s). No location subscription is needed.
    /// </summary>
    public async Task<LocationUpdate> PollLocationAsync(LocationAccuracy? accuracy = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        string id = NextId("poll");
        Task<object> answer = Expect(id);
        await SendAsync(new LocationPollRequest { CorrelationId = id, PackageName = PackageName, SessionId = SessionId, Accuracy = accuracy, Timestamp = Now() }, cancellationToken).ConfigureAwait(false);
        return (LocationUpdate)await Await(id, answer, timeout ?? _options.LocationTimeout, "location_update", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Turns the LED on (blinking <paramref name="count"/> times) or, with <see cref="LedAction.Off"/>, off. Fire-and-forget.</summary>
    public ValueTask SetLedAsync(LedAction action, LedColor? color = null, TimeSpan? on = null, TimeSpan? off = null, int? count = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            new RgbLedControl
            {
                PackageName = PackageName,
                SessionId = SessionId,
                RequestId = NextId("led_req"),
                Action = action,
                Color = color,
                Ontime = on is { } o ? (long)o.TotalMilliseconds : null,
                Offtime = off is { } f ? (long)f.TotalMilliseconds : null,
                Count = count,
                Timestamp = Now(),
            },
            cancellationToken);

    /// <summary>
    /// Takes a photo with the glasses' camera and returns it. The cloud forwards the request; the glasses upload the
    /// photo over HTTP to this server's <c>/photo-upload</c> (mapped by <c>MapMentraWebhooks</c> when sessions connect),
    /// and the upload completes this call. Throws <see cref="PhotoException"/> when the glasses report an error,
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/> (default 30 s, as the TypeScript SDK), and
    /// <see cref="AppSessionEndedException"/> if the session ends first.
    /// </summary>
    public async Task<Photo> TakePhotoAsync(PhotoSize? size = null, PhotoCompression? compress = null, bool saveToGallery = false, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        // Random, not a counter: the upload endpoint is open, and an id it can guess would let anyone answer the request.
        string id = "photo_req_" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + "_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        Task<object> answer = Expect(id);
        _options.Photos.Wait(id, this);
        try
        {
            await SendAsync(new PhotoRequest { PackageName = PackageName, SessionId = SessionId, RequestId = id, Size = size, Compress = compress, SaveToGallery = saveToGallery, Timestamp = Now() }, cancellationToken).ConfigureAwait(false);
            return (Photo)await Await(id, answer, timeout ?? _options.PhotoTimeout, "photo upload", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _options.Photos.Forget(id);
        }
    }

    /// <summary>
    /// Asks the glasses for a photo that they upload to <paramref name="customWebhookUrl"/>, your own endpoint (with
    /// <paramref name="authToken"/>), and returns the request's id at once. For a photo returned to this call, use
    /// <see cref="TakePhotoAsync"/>.
    /// </summary>
    public async Task<string> RequestPhotoAsync(PhotoSize? size = null, PhotoCompression? compress = null, bool saveToGallery = false, string? customWebhookUrl = null, string? authToken = null, CancellationToken cancellationToken = default)
    {
        string id = NextId("photo_req");
        await SendAsync(new PhotoRequest { PackageName = PackageName, SessionId = SessionId, RequestId = id, Size = size, Compress = compress, SaveToGallery = saveToGallery, CustomWebhookUrl = customWebhookUrl, AuthToken = authToken, Timestamp = Now() }, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Asks the phone to show a WiFi setup prompt.</summary>
    public ValueTask RequestWifiSetupAsync(string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync(new RequestWifiSetup { PackageName = PackageName, SessionId = SessionId, Reason = reason, Timestamp = Now() }, cancellationToken);

    /// <summary>
    /// Sends any message of the protocol. While the session reconnects it waits for the new socket; once the session has
    /// ended it throws <see cref="AppSessionEndedException"/>.
    /// </summary>
    public ValueTask SendAsync(AppMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendOnSessionAsync(message, static (socket, message, cancellationToken) => SendOnAsync(socket, message, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Sends with <paramref name="send"/> on the session's socket: while the session reconnects it waits for the new socket,
    /// a socket that breaks under the send is replaced by the reconnect and the send made again, and once the session has
    /// ended it throws <see cref="AppSessionEndedException"/>.
    /// </summary>
    private async ValueTask SendOnSessionAsync<TState>(TState state, Func<SessionSocket, TState, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (End is { } end)
            {
                throw new AppSessionEndedException(SessionId, end);
            }

            if (State != AppSessionState.Connected || Volatile.Read(ref _socket) is not { } socket)
            {
                TaskCompletionSource next = LazyInitializer.EnsureInitialized(ref _connected, static () => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                if (State is AppSessionState.Connecting or AppSessionState.Reconnecting && End is null)
                {
                    // Made or found before this check: the ack that follows completes it (state first, then the wait).
                    await next.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            try
            {
                await send(socket, state, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is WebSocketException or IOException or SocketException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
            {
                // The socket broke under the send: the receive loop sees it too and reconnects; send again on the new one.
                await Task.Yield();
                if (ReferenceEquals(Volatile.Read(ref _socket), socket) && State == AppSessionState.Connected)
                {
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Tells the cloud to stop holding this session for the app, then ends it: the cloud will not bring it back.</summary>
    public Task ReleaseOwnershipAsync(OwnershipReleaseReason reason) =>
        EndAsync(new AppSessionEnd("Ownership released: " + reason.Value), runStopHandler: true, release: reason);

    private ValueTask SendSubscriptionsAsync() =>
        SendAsync(new SubscriptionUpdate { PackageName = PackageName, SessionId = SessionId, Subscriptions = _routes.Subscriptions(), Timestamp = Now() });

    /// <summary>One message, written whole as one text frame; sends are one at a time, as a socket requires.</summary>
    internal static ValueTask SendOnAsync(SessionSocket socket, AppMessage message, CancellationToken cancellationToken) =>
        socket.SendJsonAsync(message, AppSessionJsonContext.Default.AppMessage, cancellationToken);

    private string NextId(string prefix) =>
        prefix + "_" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + "_" + Interlocked.Increment(ref _requests).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private Task<object> Expect(string id)
    {
        ConcurrentDictionary<string, TaskCompletionSource<object>> pending = LazyInitializer.EnsureInitialized(ref _pending, () => new(StringComparer.Ordinal));
        var completion = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = completion;
        if (End is { } end)
        {
            pending.TryRemove(id, out _);
            throw new AppSessionEndedException(SessionId, end);
        }

        return completion.Task;
    }

    private async Task<object> Await(string id, Task<object> answer, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await answer.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No {what} for request '{id}' within {timeout.TotalSeconds:0.#} s.");
        }
        finally
        {
            _pending?.TryRemove(id, out _);
        }
    }

    /// <summary>Completes the request waiting for <paramref name="id"/>; false when none waits (then the message goes to the handlers).</summary>
    private bool Complete(string id, object answer) =>
        _pending is { } pending && pending.TryRemove(id, out TaskCompletionSource<object>? completion) && completion.TrySetResult(answer);

    /// <summary>Completes the request waiting for <paramref name="id"/> with an answer that came over HTTP (a photo).</summary>
    internal bool Answer(string id, object answer) => Complete(id, answer);

    /// <summary>Fails the request waiting for <paramref name="id"/>; false when none waits.</summary>
    internal bool Fail(string id, Exception error) =>
        _pending is { } pending && pending.TryRemove(id, out TaskCompletionSource<object>? completion) && completion.TrySetException(error);

    private void FailPending(AppSessionEnd end)
    {
        if (_pending is { } pending)
        {
            foreach (string id in pending.Keys)
            {
                if (pending.TryRemove(id, out TaskCompletionSource<object>? completion))
                {
                    completion.TrySetException(new AppSessionEndedException(SessionId, end));
                }
            }
        }
    }
}
