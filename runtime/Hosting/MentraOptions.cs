using System.Collections.Generic;

namespace Mentra.Generated;

/// <summary>
/// Settings of a MentraOS app server. Bound from the <c>Mentra</c> configuration section and from the
/// environment variables the TypeScript SDK uses (<c>PACKAGE_NAME</c>, <c>MENTRAOS_API_KEY</c>, <c>PORT</c>);
/// validated when the host starts.
/// </summary>
public sealed class MentraOptions
{
    /// <summary>The app's package name, as registered with MentraOS (for example <c>org.example.notes</c>). Required.</summary>
    public string? PackageName { get; set; }

    /// <summary>The app's API key. Never logged, never sent to a WebSocket URL the SDK has not validated.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The path of the webhook endpoint. Default <c>/webhook</c>, where the cloud posts.</summary>
    public string WebhookPath { get; set; } = "/webhook";

    /// <summary>Whether to answer the cloud's health polls. Default true.</summary>
    public bool EnableHealthEndpoint { get; set; } = true;

    /// <summary>The path of the health endpoint. Default <c>/health</c>, which the cloud polls every minute.</summary>
    public string HealthPath { get; set; } = "/health";

    /// <summary>
    /// The path where the glasses upload the photos of <see cref="Sessions.AppSession.TakePhotoAsync"/>, mapped when app
    /// sessions connect. Default <c>/photo-upload</c>, the path the cloud gives the glasses.
    /// </summary>
    public string PhotoUploadPath { get; set; } = "/photo-upload";

    /// <summary>
    /// The path where the cloud pushes a user's settings after they edit them (<c>POST</c>). Default <c>/settings</c>,
    /// where the cloud posts.
    /// </summary>
    public string SettingsPath { get; set; } = "/settings";

    /// <summary>
    /// The path where the cloud calls the app's AI tools (<c>POST</c>), mapped when the app has <c>[OnToolCall]</c>
    /// methods. Default <c>/tool</c>, where the cloud posts.
    /// </summary>
    public string ToolPath { get; set; } = "/tool";

    /// <summary>
    /// Whether a tool call must carry the app's key as the cloud sends it (<c>X-App-API-Key</c>: the SHA-256 of the API key,
    /// in hex); one without it, or with another, is answered 401 and no tool runs. Turn it off only for a cloud that does
    /// not send the header. Default true.
    /// </summary>
    public bool RequireToolCallKey { get; set; } = true;

    /// <summary>The largest body of a webhook, settings push or tool call accepted, in bytes; a larger one is answered 413. Default 64 KiB.</summary>
    public long MaxRequestBodySize { get; set; } = 64 * 1024;

    /// <summary>
    /// Hosts a <c>wss</c> WebSocket URL may name. <c>*.example.com</c> allows every subdomain of example.com (not
    /// example.com itself, nor <c>evilexample.com</c>). Default: <c>*.mentra.glass</c> and <c>prod.augmentos.cloud</c>.
    /// </summary>
    public IList<string> AllowedWebSocketHosts { get; } = new List<string> { "*.mentra.glass", "prod.augmentos.cloud" };

    /// <summary>
    /// Whether a plain <c>ws</c> URL to a loopback host (<c>localhost</c>, 127.0.0.0/8, ::1) is accepted, for a
    /// cloud running on this machine. Default: true in the Development environment, false elsewhere.
    /// </summary>
    public bool? AllowInsecureLoopbackWebSocket { get; set; }

    /// <summary>
    /// Whether an accepted <c>session_request</c> connects the session's WebSocket (the v2 app-session protocol). Default:
    /// when the app declares session handlers (streams such as <c>[OnTranscription]</c>, or session events).
    /// </summary>
    public bool? ConnectAppSessions { get; set; }

    /// <summary>How long the cloud has to acknowledge a session's <c>tpa_connection_init</c>. Default 5 s.</summary>
    public System.TimeSpan SessionAckTimeout { get; set; } = System.TimeSpan.FromSeconds(5);

    /// <summary>
    /// When a session whose socket dropped connects again. Default <see cref="Sessions.ReconnectSchedule.Default"/> (0.25 s,
    /// 1 s, 2 s). A <see cref="Sessions.ReconnectSchedule"/> whose waits add up to <see cref="ReconnectGrace"/> or more is
    /// refused when the host starts: its last attempts could never be made.
    /// </summary>
    public Sessions.IReconnectPolicy? ReconnectPolicy { get; set; }

    /// <summary>
    /// How long the cloud holds a session whose socket dropped (its grace period, 5 s): no reconnect attempt starts, nor
    /// waits for its ack, past it. Set it only for a cloud known to hold sessions longer or shorter. Default 5 s.
    /// </summary>
    public System.TimeSpan ReconnectGrace { get; set; } = System.TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a connected session sends the newer SDK's application keepalive, <c>{"type":"ping"}</c> (newer clouds
    /// answer <c>pong</c>, which keeps a load balancer from closing a quiet socket; the v2 cloud logs it as unhandled, so it
    /// is off by default). The newer TypeScript SDK sends one every 15 s. Default null: none.
    /// </summary>
    public System.TimeSpan? SessionKeepAliveInterval { get; set; }

    /// <summary>
    /// The cloud's API, for per-user storage used outside a live session (<see cref="Storage.MentraStorage.For(string)"/>);
    /// a session's storage goes to the cloud of its own WebSocket URL. Default <c>https://api.mentra.glass</c>.
    /// </summary>
    public System.Uri CloudApiUrl { get; set; } = new("https://api.mentra.glass");

    /// <summary>The largest message accepted on a session's socket; a larger one is logged and skipped. Default 1 MiB.</summary>
    public int MaxSessionMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// When the app does not connect sessions, how many sessions known only from their webhooks are counted and held at
    /// most; past it, the oldest is dropped. Webhooks carry no credential, so this bounds what forged ones can make the
    /// server hold. Sessions with a live socket are not limited by it. Default 10,000.
    /// </summary>
    public int MaxTrackedSessions { get; set; } = 10_000;

    /// <summary>
    /// When the app does not connect sessions, how long a session known only from its webhook is counted and held
    /// without a stop; the cloud sends a new <c>session_request</c> when it restarts a session. Default 24 hours.
    /// </summary>
    public System.TimeSpan TrackedSessionLifetime { get; set; } = System.TimeSpan.FromHours(24);
}
