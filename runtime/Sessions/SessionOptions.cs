using System;
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

    /// <summary>When a dropped session tries again (see <see cref="IReconnectPolicy"/>); <see cref="ReconnectGrace"/> bounds it.</summary>
    public IReconnectPolicy Reconnect { get; init; } = ReconnectSchedule.Default;

    /// <summary>
    /// How long the cloud holds a session whose socket dropped (its 5 s grace period): every reconnect attempt, its wait
    /// for the ack included, ends within it, and no attempt starts after it.
    /// </summary>
    public TimeSpan ReconnectGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest message accepted from the cloud; a larger one is logged and skipped.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>How many messages may wait for a session's handlers before the receive loop waits for them.</summary>
    public int QueueLength { get; init; } = 1024;

    /// <summary>How long an <c>audio_play_request</c> waits for its response by default.</summary>
    public TimeSpan AudioTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a location poll waits for its answer by default.</summary>
    public TimeSpan LocationTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a photo waits for the glasses' upload by default (the TypeScript SDK's 30 s).</summary>
    public TimeSpan PhotoTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a connected session sends the application keepalive <c>ping</c> (newer clouds answer <c>pong</c>); null sends none.</summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>The per-user storage of the server's sessions; null makes one for the session alone, against its own cloud.</summary>
    public Storage.MentraStorage? Storage { get; init; }

    /// <summary>The photos the server's sessions wait for, which <c>/photo-upload</c> completes.</summary>
    public PhotoUploads Photos { get; init; } = new();

    /// <summary>The values the cloud tells many sessions alike (capabilities, settings), held once for all of them.</summary>
    public SharedValues Shared { get; init; } = new();

    /// <summary>Where the sessions count what they skip, their reconnects and their handlers' errors; none in tests that make sessions alone.</summary>
    public MentraMetrics? Metrics { get; init; }

    /// <summary>Opens a socket; the default does the handshake itself over a plain socket (see <see cref="WebSocketConnector"/>).</summary>
    public Func<Uri, CancellationToken, Task<SessionSocket>> Connect { get; init; } = WebSocketConnector.ConnectAsync;
}
