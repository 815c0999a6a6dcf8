using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Sessions;

/// <summary>
/// Audio the app streams to the speaker as it makes it (speech from its own model, for example), through the cloud's
/// relay: open it with <see cref="AppSession.OpenAudioOutputAsync"/>, write encoded audio (MP3 unless opened with another
/// content type; the SDK encodes nothing), then <see cref="EndAsync"/>, or <see cref="InterruptAsync"/> to cut it short.
/// Newer clouds only: an older one never answers the open, which then times out.
/// </summary>
public sealed class AudioOutput : IAsyncDisposable
{
    private readonly AppSession _session;
    private readonly byte[] _prefix;
    private int _ended;

    internal AudioOutput(AppSession session, string streamId, Uri url)
    {
        _session = session;
        StreamId = streamId;
        Url = url;
        _prefix = Encoding.ASCII.GetBytes(streamId);
    }

    /// <summary>The stream's id (a UUID), which prefixes each of its binary frames.</summary>
    public string StreamId { get; }

    /// <summary>The relay URL the cloud gave, which the phone plays.</summary>
    public Uri Url { get; }

    /// <summary>Whether the stream has ended (by <see cref="EndAsync"/>, <see cref="InterruptAsync"/> or the session's end).</summary>
    public bool Ended => Volatile.Read(ref _ended) == 1 || _session.End is not null;

    /// <summary>Sends the next piece of audio, as one binary frame: the stream's id, then the bytes.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _ended) == 1, this);
        return audio.IsEmpty ? ValueTask.CompletedTask : _session.SendAudioFrameAsync(_prefix, audio, cancellationToken);
    }

    /// <summary>Ends the stream once the phone has played what was written: the cloud closes the relay. Once; safe after the session's end.</summary>
    public ValueTask EndAsync(CancellationToken cancellationToken = default) => FinishAsync(interrupt: false, cancellationToken);

    /// <summary>Ends the stream at once and stops the app's audio, as when the wearer starts talking over it.</summary>
    public ValueTask InterruptAsync(CancellationToken cancellationToken = default) => FinishAsync(interrupt: true, cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => EndAsync();

    private async ValueTask FinishAsync(bool interrupt, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1 || _session.End is not null)
        {
            return;
        }

        try
        {
            await _session.SendAsync(new AudioStreamEnd { PackageName = _session.PackageName, SessionId = _session.SessionId, StreamId = StreamId, Timestamp = AppSession.Now() }, cancellationToken).ConfigureAwait(false);
            if (interrupt)
            {
                await _session.StopAudioAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AppSessionEndedException)
        {
            // The session ended meanwhile; the cloud closes its relays with it.
        }
    }
}

/// <summary>Audio output streams.</summary>
public sealed partial class AppSession
{
    /// <summary>How long an audio output stream's open waits for the cloud's relay by default (the newer TypeScript SDK's 10 s).</summary>
    private static readonly TimeSpan AudioOutputTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opens an audio output stream (<c>audio_stream_start</c>), waits for the cloud's relay URL (<c>audio_stream_ready</c>,
    /// at most <paramref name="timeout"/>, default 10 s, then <see cref="TimeoutException"/>: a cloud that predates these
    /// streams never answers), and asks the phone to play it. Write <paramref name="contentType"/> audio to the result.
    /// </summary>
    public async Task<AudioOutput> OpenAudioOutputAsync(string contentType = "audio/mpeg", double volume = 1.0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        string streamId = Guid.NewGuid().ToString("D");
        string key = AudioOutputKey(streamId);
        Task<object> ready = Expect(key);
        try
        {
            await SendAsync(new AudioStreamStart { PackageName = PackageName, SessionId = SessionId, StreamId = streamId, ContentType = contentType, Timestamp = Now() }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pending?.TryRemove(key, out _);
            throw;
        }

        var answer = (AudioStreamReady)await Await(key, ready, timeout ?? AudioOutputTimeout, "audio_stream_ready (an older cloud has no audio output streams)", cancellationToken).ConfigureAwait(false);
        if (!Uri.TryCreate(answer.StreamUrl, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException("The cloud's audio relay URL is not an http(s) URL.");
        }

        await SendAsync(AudioRequest("stream_" + streamId, url.AbsoluteUri, volume, stopOtherAudio: true), cancellationToken).ConfigureAwait(false);
        return new AudioOutput(this, streamId, url);
    }

    private static string AudioOutputKey(string streamId) => "\u0001audio_stream:" + streamId;

    internal ValueTask SendAudioFrameAsync(byte[] prefix, ReadOnlyMemory<byte> audio, CancellationToken cancellationToken) =>
        SendOnSessionAsync((prefix, audio), static (socket, frame, cancellationToken) => socket.SendBinaryAsync(frame.prefix, frame.audio, cancellationToken), cancellationToken);

}
