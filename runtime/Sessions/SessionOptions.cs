using System;
using System.Net.Http;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>What every session of one server shares: the app's identity, the timings, and how sockets are opened.</summary>
internal sealed class SessionOptions
{
    public required string PackageName { get; init; }

    public required string ApiKey { get; init; }

    /// <summary>How long the cloud has to ack the init (the TypeScript SDK's 5 s).</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The waits before each reconnect attempt after an abnormal close. The default (0.25 s, 1 s, 2 s, so the last attempt
    /// starts about 3.3 s after the drop plus each attempt's own time) fits the cloud's 5 s grace period, after which it
    /// would restart the app with new webhooks instead.
    /// </summary>
    public TimeSpan[] ReconnectDelays { get; init; } = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>The largest message accepted from the cloud; a larger one is logged and skipped.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>How many messages may wait for a session's handlers before the receive loop waits for them.</summary>
    public int QueueLength { get; init; } = 1024;

    /// <summary>How long an <c>audio_play_request</c> waits for its response by default.</summary>
    public TimeSpan AudioTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a location poll waits for its answer by default.</summary>
    public TimeSpan LocationTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Opens a socket; the default is a <see cref="ClientWebSocket"/> without subprotocol, headers or compression.</summary>
    public Func<Uri, CancellationToken, Task<WebSocket>> Connect { get; init; } = ConnectDefault;

    /// <summary>
    /// One HTTP handler for every session's handshake: a <see cref="ClientWebSocket"/> without one creates a handler (and
    /// its connection pool) per socket, which an idle session would keep for its whole life.
    /// </summary>
    private static readonly HttpMessageInvoker SharedInvoker = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    private static async Task<WebSocket> ConnectDefault(Uri url, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(url, SharedInvoker, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
