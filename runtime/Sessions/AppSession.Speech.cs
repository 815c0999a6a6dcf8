using System;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Sessions;

/// <summary>The voice of <see cref="AppSession.SpeakAsync"/>: the cloud's text-to-speech defaults where a value is not given.</summary>
/// <param name="VoiceId">The voice (an ElevenLabs voice id); the cloud's default voice when null.</param>
/// <param name="ModelId">The speech model, for example <c>eleven_flash_v2_5</c> (the cloud's default).</param>
/// <param name="Settings">How the voice sounds: stability, similarity, style, speaker boost, speed.</param>
public sealed record SpeechVoice(string? VoiceId = null, string? ModelId = null, VoiceSettings? Settings = null);

/// <summary>Text to speech: an audio play request for the cloud's own speech URL, on the speech track.</summary>
public sealed partial class AppSession
{
    /// <summary>The track the TypeScript SDK plays speech on (the cloud passes no track on; kept for clouds that will).</summary>
    private const int SpeechTrack = 2;

    /// <summary>
    /// Speaks <paramref name="text"/> on the glasses' or phone's speaker in place of any other audio of the app, and waits
    /// until it has been spoken (at most <paramref name="timeout"/>, default 60 s, like <see cref="PlayAudioAsync"/>). The
    /// phone plays the cloud's text-to-speech URL (<c>/api/tts</c> on the cloud's host, made from this session's
    /// WebSocket URL: <c>http</c> for a <c>ws</c> cloud, <c>https</c> for <c>wss</c>), which <see cref="SpeechUrl"/> gives.
    /// </summary>
    public Task<AudioPlayResponse> SpeakAsync(string text, SpeechVoice? voice = null, double volume = 1.0, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return PlayAndWaitAsync(SpeechUrl(text, voice).AbsoluteUri, volume, SpeechTrack, timeout, cancellationToken);
    }

    /// <summary>
    /// The cloud's text-to-speech URL for <paramref name="text"/> in <paramref name="voice"/>, as <see cref="SpeakAsync"/>
    /// sends it: <c>{cloud}/api/tts?text=..&amp;voice_id=..&amp;model_id=..&amp;voice_settings={json}</c>.
    /// </summary>
    public Uri SpeechUrl(string text, SpeechVoice? voice = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var query = new StringBuilder("api/tts?text=").Append(Uri.EscapeDataString(text));
        if (voice?.VoiceId is { Length: > 0 } voiceId)
        {
            query.Append("&voice_id=").Append(Uri.EscapeDataString(voiceId));
        }

        if (voice?.ModelId is { Length: > 0 } modelId)
        {
            query.Append("&model_id=").Append(Uri.EscapeDataString(modelId));
        }

        if (voice?.Settings is { } settings)
        {
            query.Append("&voice_settings=").Append(Uri.EscapeDataString(JsonSerializer.Serialize(settings, AppSessionJsonContext.Default.VoiceSettings)));
        }

        return new Uri(CloudHttpUrl(WebSocketUrl), query.ToString());
    }

    /// <summary>
    /// The cloud's HTTP base for a session's WebSocket URL, as the TypeScript SDK makes it for its storage calls: a trailing
    /// <c>/app-ws</c> removed, <c>ws</c> to <c>http</c> and <c>wss</c> to <c>https</c>; ends with a slash.
    /// </summary>
    internal static Uri CloudHttpUrl(Uri webSocketUrl)
    {
        var builder = new UriBuilder(webSocketUrl)
        {
            Scheme = webSocketUrl.Scheme == "wss" ? Uri.UriSchemeHttps : Uri.UriSchemeHttp,
            Query = string.Empty,
            Fragment = string.Empty,
        };
        if (builder.Uri.IsDefaultPort)
        {
            builder.Port = -1;
        }

        string path = builder.Path;
        if (path.EndsWith("/app-ws", StringComparison.Ordinal))
        {
            path = path.Substring(0, path.Length - "/app-ws".Length);
        }

        builder.Path = path.EndsWith('/') ? path : path + "/";
        return builder.Uri;
    }
}
