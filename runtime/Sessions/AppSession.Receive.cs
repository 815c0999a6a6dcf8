using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;
using Mentra.Generated.Protocol.Serialization;

namespace Mentra.Generated.Sessions;

/// <summary>The receive loop: frames in, messages read, what they say applied, and their work handed to the handlers.</summary>
public sealed partial class AppSession
{
    /// <summary>
    /// Receives until the socket closes, then either ends the session (<see cref="CloseRules"/>) or connects it again
    /// (<see cref="ReconnectAsync"/>) and receives on the new socket. The loop over one socket's frames is written out
    /// here, in one method, so that an idle session waits in a single state machine.
    /// </summary>
    private async Task RunAsync()
    {
        AppSessionEnd end;
        while (true)
        {
            SessionSocket socket = _socket!;
            int? status = null;
            string? description = null;
            try
            {
                while (true)
                {
                    if (!socket.TryReceive(_options.MaxMessageBytes, out SocketMessage received))
                    {
                        // Idle: a zero-byte wait, with no buffer and no cancellation registration; ending disposes the socket.
                        await socket.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                        continue;
                    }

                    if (received.Kind == SocketMessageKind.Close)
                    {
                        (status, description) = (socket.CloseStatus, socket.CloseStatusDescription);
                        break;
                    }

                    if (received.Kind == SocketMessageKind.Ping)
                    {
                        await socket.SendPongAsync(received.Memory, CancellationToken.None).ConfigureAwait(false);
                        continue;
                    }

                    if (_ended.IsCancellationRequested)
                    {
                        break; // frames still in the buffer after the end reach no handler
                    }

                    if (Work(received) is { } work)
                    {
                        ValueTask dispatch = DispatchAsync(work, socket);
                        if (!dispatch.IsCompletedSuccessfully)
                        {
                            await dispatch.ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or SocketException or ObjectDisposedException)
            {
                // No close frame: abnormal, as 1006 (or the session was ended from this side, which disposed the socket).
            }

            if (_ended.IsCancellationRequested)
            {
                return; // ended from this side; EndAsync does the rest
            }

            if (CloseRules.EndsSession(status, description))
            {
                end = new AppSessionEnd(CloseRules.EndReason(description), status, _lastError);
                break;
            }

            (AppSessionReconnect? reconnected, AppSessionEnd? lost) = await ReconnectAsync(status, description).ConfigureAwait(false);
            if (lost is not null)
            {
                end = lost;
                break;
            }

            if (reconnected is null)
            {
                return; // ended from this side meanwhile
            }

            await AfterAckAsync(reconnected).ConfigureAwait(false);
        }

        await EndAsync(end, runStopHandler: true, release: null).ConfigureAwait(false);
    }

    /// <summary>The work for the handlers in one received message, or null for one that is skipped, logged or answered here.</summary>
    private SessionWork? Work(in SocketMessage received)
    {
        if (received.TooLarge)
        {
            if (Warn(SessionWarning.TooLarge))
            {
                Log.TooLarge(_logger, SessionId, _options.MaxMessageBytes);
            }

            _options.Metrics?.SessionMessageSkipped("too_large");
            return null;
        }

        if (received.Kind == SocketMessageKind.Binary)
        {
            return Audio(received);
        }

        if (!TryParse(received.Span, out CloudMessage? message, out string? streamType, out StreamData? data))
        {
            return null;
        }

        return message is null ? Stream(streamType!, data!) : Receive(message);
    }

    /// <summary>
    /// The message in a text frame; a frame that is not a message of this protocol is logged and skipped (false). See
    /// <see cref="ReadFrame"/>.
    /// </summary>
    private bool TryParse(ReadOnlySpan<byte> json, out CloudMessage? message, out string? streamType, out StreamData? data)
    {
        try
        {
            message = ReadFrame(json, out streamType, out data);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            if (Warn(SessionWarning.Malformed))
            {
                Log.BadMessage(_logger, SessionId, e.Message);
            }

            _options.Metrics?.SessionMessageSkipped("malformed");
            (message, streamType, data) = (null, null, null);
            return false;
        }
    }

    /// <summary>
    /// Reads a text frame: the message, or for a <c>data_stream</c> null and only its stream type and data. The envelope is
    /// not made, as no handler sees it (<c>DataStreamJsonConverter.ReadTaggedOnly</c> checks it as the full read does).
    /// Throws <see cref="JsonException"/> for a frame that is not a message of this protocol.
    /// </summary>
    internal static CloudMessage? ReadFrame(ReadOnlySpan<byte> json, out string? streamType, out StreamData? data)
    {
        (streamType, data) = (null, null);
        var reader = new Utf8JsonReader(json);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            Utf8JsonReader start = reader;
            CloudMessage? message = null;
            if (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8)
                && reader.Read() && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("data_stream"u8))
            {
                // The cloud writes type first; a data_stream that does not is read whole, with the same result for the handlers.
                data = DataStreamJsonConverter.ReadTaggedOnly(ref reader, discriminatorRead: true, out string tag);
                streamType = tag;
            }
            else
            {
                reader = start;
                message = CloudMessageJsonConverter.ReadObject(ref reader);
            }

            if (!reader.Read())
            {
                return message;
            }
        }

        // Anything else (not an object, trailing text) gets JsonSerializer's own message.
        (streamType, data) = (null, null);
        return JsonSerializer.Deserialize(json, AppSessionJsonContext.Default.CloudMessage) ?? throw new JsonException("The message is null.");
    }

    /// <summary>The work for a stream's data, or null for a location that answers a poll (its request is completed here).</summary>
    private SessionWork? Stream(string streamType, StreamData data) =>
        data is LocationUpdate { CorrelationId: { } id } && Complete(id, data) ? null : new SessionWork(null, null, false, StreamType: streamType, Data: data);

    /// <summary>
    /// An audio chunk for the handlers, still in the socket's buffer (<see cref="DispatchAsync"/> copies it only if the
    /// handlers cannot run at once), or null when the app did not subscribe.
    /// </summary>
    private SessionWork? Audio(in SocketMessage received)
    {
        if (!_routes.WantsAudio)
        {
            Log.UnexpectedAudio(_logger, SessionId, received.Length);
            _options.Metrics?.SessionMessageSkipped("unexpected_audio");
            return null;
        }

        return new SessionWork(null, new AudioChunk(received.Memory, Pooled: null), false);
    }

    /// <summary>
    /// Applies what a message says about the session at once, on the receive loop (so that a handler awaiting a response
    /// is answered even while it runs); returns the work for the handlers, or null for a response a request awaited.
    /// </summary>
    private SessionWork? Receive(CloudMessage message)
    {
        switch (message)
        {
            case DeviceStateUpdate update:
                DeviceState = update.FullSnapshot == true ? update.State : DeviceState.MergedWith(update.State);
                break;
            case SettingsUpdate update when !ApplySettings(update.Settings):
                return null; // the settings as they are already (the cloud sends an update twice, and pushes it over HTTP too)
            case SystemSettingsUpdate update:
                SystemSettings = _options.Shared.Share(update.Settings);
                break;
            case CapabilitiesUpdate update:
                Capabilities = _options.Shared.Share(update.Capabilities);
                break;
            case DashboardModeChanged changed:
                DashboardMode = changed.Mode;
                break;
            case ConnectionError or LegacyConnectionError:
                // The legacy spelling reaches the handlers as the current one, so that [OnConnectionError] sees both.
                _lastError = AsError(message);
                message = _lastError;
                if (Warn(SessionWarning.CloudError))
                {
                    Log.CloudError(_logger, SessionId, _lastError.Code?.Value ?? "(none)", _lastError.Message ?? string.Empty);
                }

                break;
            case AudioPlayResponse response when Complete(response.RequestId, response):
                return null;
            case DataStream stream:
                return Stream(stream.StreamType, stream.Data);
            case RtmpStreamStatus status when !Apply(status):
                return null; // a repeat: handlers saw this status of this stream already
            case ManagedStreamStatus status when !Apply(status):
                return null;
            case StreamStatusCheckResponse response when Complete(StreamCheckKey, response):
                return null;
            case PermissionError error:
                Apply(error);
                break;
            case Pong:
                return null; // the answer to the keepalive: it kept the connection busy, which was its purpose
            case AudioStreamReady ready when Complete(AudioOutputKey(ready.StreamId), ready):
                return null;
            case PhotoResponse { Success: false, RequestId: { } id } response when Fail(id, new PhotoException(id, response.Error?.Code, response.Error?.Message)):
                // Some clouds report a failed photo over the socket: fail at once rather than wait for an upload that will not come.
                return null;
        }

        return new SessionWork(message, null, false);
    }
}
