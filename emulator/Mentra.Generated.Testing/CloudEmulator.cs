using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated.Emulator;

/// <summary>What the emulated cloud is and whom it talks to.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The app server's base URL; webhooks go to <c>{AppUrl}/webhook</c>, health polls to <c>{AppUrl}/health</c>.</summary>
    public required Uri AppUrl { get; init; }

    /// <summary>
    /// The addresses of the app's other replicas, for a test of several: the emulator plays a load balancer that is not
    /// sticky, and sends each call (webhook, photo upload, settings push, tool call, health poll) to the next of
    /// <see cref="AppUrl"/> and these in turn, unless <see cref="CloudEmulator.Route"/> picks. Empty: one replica.
    /// </summary>
    public IReadOnlyList<Uri> ReplicaUrls { get; init; } = [];

    /// <summary>The package name the app registered.</summary>
    public required string PackageName { get; init; }

    /// <summary>The API key the cloud accepts in <c>tpa_connection_init</c>.</summary>
    public required string ApiKey { get; init; }

    /// <summary>The port the emulator listens on, on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>How long after its <c>session_request</c> an app may connect (the cloud's app-start timeout, 5 s).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a session that dropped abnormally is held for the app to reconnect (the cloud's 5 s grace period).</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The app settings sent in the ack.</summary>
    public IReadOnlyList<AppSetting> Settings { get; init; } = [];

    /// <summary>The glasses the ack describes; null sends <c>capabilities: null</c>, as for no known model.</summary>
    public Capabilities? Capabilities { get; init; } = DefaultGlasses.Capabilities;

    /// <summary>Whether the ack names system settings <c>mentraosSettings</c> (newer clouds) or <c>augmentosSettings</c> (older).</summary>
    public bool LegacyAck { get; init; }

    /// <summary>
    /// Whether an app may re-attach a session after its socket dropped (the cloud's grace period). False plays a cloud
    /// that lost the session: a reconnect is refused with <c>SESSION_NOT_FOUND</c>, and after the grace period the
    /// session is resurrected with a stop webhook and a new <c>session_request</c>.
    /// </summary>
    public bool AcceptReconnects { get; init; } = true;

    /// <summary>Accept inits but never ack them, as a cloud that hangs (the app's ack timeout must fire).</summary>
    public bool WithholdAck { get; init; }

    /// <summary>
    /// How long the cloud holds each ack back after a good init (the first connect and every reconnect), as a slow or
    /// loaded cloud does; zero acks at once. An app's ack timeout still applies.
    /// </summary>
    public TimeSpan AckDelay { get; init; }

    /// <summary>
    /// The photo the glasses upload to the app's <c>/photo-upload</c> when it sends a <c>photo_request</c> (default: a
    /// small PNG, <see cref="DefaultGlasses.Photo"/>).
    /// </summary>
    public byte[] Photo { get; init; } = DefaultGlasses.Photo;

    /// <summary>The photo's content type.</summary>
    public string PhotoMimeType { get; init; } = "image/png";

    /// <summary>When set, the glasses report this error code (a <c>PhotoErrorCode</c>, for example <c>CAMERA_BUSY</c>) instead of uploading a photo.</summary>
    public string? PhotoError { get; init; }

    /// <summary>With <see cref="PhotoError"/>, the error comes as some clouds send it: a <c>photo_response</c> over the socket, with no upload.</summary>
    public bool PhotoErrorOverSocket { get; init; }

    /// <summary>False plays a cloud that never answers an <c>audio_play_request</c> (the phone went away mid-play).</summary>
    public bool AnswerAudio { get; init; } = true;

    /// <summary>False plays glasses that never answer a photo request (the app's wait times out).</summary>
    public bool UploadPhotos { get; init; } = true;

    /// <summary>How often each app socket is pinged (the cloud's heartbeat: a protocol ping every 10 s).</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a ping waits for the app's pong before the socket is dropped. Null (the default) plays the cloud, which
    /// does not track pongs; set it to check that an app answers its pings.
    /// </summary>
    public TimeSpan? PongTimeout { get; init; }

    /// <summary>Called with each display event, as the glasses would show it.</summary>
    public Action<EmulatedSession, DisplayEvent>? OnDisplay { get; init; }

    /// <summary>Called with each text the app has spoken (a play request of the emulator's own <c>/api/tts</c> URL).</summary>
    public Action<EmulatedSession, SpeechRequest>? OnSpeech { get; init; }

    /// <summary>Called with each stream status the emulator sends the app (RTMP or managed), as a status line.</summary>
    public Action<EmulatedSession, string>? OnStreamStatus { get; init; }

    /// <summary>How long a stream takes from <c>initializing</c> to live (the camera and the encoder starting).</summary>
    public TimeSpan StreamStartDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>When set, every stream the app starts fails with this error instead of going live (an unreachable RTMP server, for example).</summary>
    public string? StreamError { get; init; }

    /// <summary>False plays a cloud whose streams never go live: they stay <c>initializing</c> (the app's start must time out).</summary>
    public bool StartStreams { get; init; } = true;

    /// <summary>
    /// Permissions the user has not granted (for example <c>MICROPHONE</c>): the cloud refuses the streams that need them
    /// with a <c>permission_error</c> after each <c>subscription_update</c>, and sends them no data.
    /// </summary>
    public IReadOnlyList<string> DeniedPermissions { get; init; } = [];

    /// <summary>The most a user may store in the emulated per-user storage, in bytes of keys and values (the cloud's 1 MB); past it, 413.</summary>
    public int StorageLimitBytes { get; init; } = 1_000_000;

    /// <summary>How many storage calls one user may make in a minute; past it, 429 with Retry-After (the cloud limits the rate too).</summary>
    public int StorageCallsPerMinute { get; init; } = 120;

    /// <summary>
    /// The key pair the emulator signs user tokens with (<see cref="EmulatedAccounts.SignUserToken"/>); the app trusts its
    /// public key by configuration. Default: a new 2048-bit RSA key per emulator. The emulator does not dispose one given here.
    /// </summary>
    public System.Security.Cryptography.RSA? UserTokenKey { get; init; }
}

/// <summary>What the app asked the cloud to speak.</summary>
/// <param name="Text">The text.</param>
/// <param name="VoiceId">The voice, if the app chose one.</param>
/// <param name="ModelId">The speech model, if the app chose one.</param>
/// <param name="VoiceSettings">The voice settings' JSON, if the app gave any.</param>
public sealed record SpeechRequest(string Text, string? VoiceId, string? ModelId, string? VoiceSettings);

/// <summary>What the app answered to a webhook.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body, as text.</param>
public sealed record WebhookResult(int Status, string Body);

/// <summary>
/// MentraOS Cloud's side of an app, on 127.0.0.1: the webhooks, the <c>/app-ws</c> WebSocket with its checks, acks,
/// errors and close codes, the reconnect grace period, and health polls. Start it with <see cref="StartAsync"/>.
/// </summary>
public sealed class CloudEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorOptions _options;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, EmulatedSession> _sessions = new(StringComparer.Ordinal);

    private CloudEmulator(WebApplication app, EmulatorOptions options, Uri baseUrl)
    {
        _app = app;
        _options = options;
        BaseUrl = baseUrl;
        WebSocketUrl = new Uri("ws://" + baseUrl.Authority + "/app-ws");
        _http = new HttpClient { BaseAddress = options.AppUrl, Timeout = TimeSpan.FromSeconds(10) };
        _replicas = [options.AppUrl, .. options.ReplicaUrls];
        Storage = new EmulatedStorage(options);
        Accounts = new EmulatedAccounts(options);
    }

    private readonly Uri[] _replicas;
    private int _nextReplica = -1;

    /// <summary>
    /// Which replica each call goes to, by its path (<c>/webhook</c>, <c>/photo-upload</c>, <c>/settings</c>, ...): an index
    /// into <see cref="EmulatorOptions.AppUrl"/> (0) and <see cref="EmulatorOptions.ReplicaUrls"/> (1, 2, ...). Null: in turn.
    /// </summary>
    public Func<string, int>? Route { get; set; }

    /// <summary>The address of <paramref name="path"/> at the replica this call goes to.</summary>
    private Uri At(string path)
    {
        int replica = Route is { } route ? route(path) : (int)((uint)Interlocked.Increment(ref _nextReplica) % (uint)_replicas.Length);
        return new Uri(_replicas[replica], path);
    }

    /// <summary>The cloud's side of webview sign-in: the user tokens it signs and the temporary tokens it exchanges.</summary>
    public EmulatedAccounts Accounts { get; }

    /// <summary>The cloud's per-user storage of this app, as the app's calls left it.</summary>
    public EmulatedStorage Storage { get; }

    private readonly ConcurrentQueue<SpeechRequest> _speech = new();

    /// <summary>Every text the phone fetched from the emulator's text-to-speech URL, in order.</summary>
    public IReadOnlyCollection<SpeechRequest> SpeechFetched => _speech;

    /// <summary>The emulator's text to speech: records what is asked and answers a short silent WAV (no voice is made).</summary>
    private Task SpeakAsync(HttpContext context)
    {
        if (ReadSpeech(context.Request.QueryString.Value) is not { } speech)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return context.Response.WriteAsync("text is required");
        }

        _speech.Enqueue(speech);
        context.Response.ContentType = "audio/wav";
        return context.Response.Body.WriteAsync(DefaultGlasses.Silence).AsTask();
    }

    /// <summary>The speech a URL of this emulator's <c>/api/tts</c> asks for; null for any other URL.</summary>
    internal SpeechRequest? SpeechOf(string? audioUrl) =>
        Uri.TryCreate(audioUrl, UriKind.Absolute, out Uri? url) && url.Authority == BaseUrl.Authority && url.AbsolutePath == "/api/tts" ? ReadSpeech(url.Query) : null;

    private static SpeechRequest? ReadSpeech(string? query)
    {
        var values = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);
        return values.TryGetValue("text", out var text) && text.ToString() is { Length: > 0 } said
            ? new SpeechRequest(said, values.TryGetValue("voice_id", out var voice) ? voice.ToString() : null, values.TryGetValue("model_id", out var model) ? model.ToString() : null, values.TryGetValue("voice_settings", out var settings) ? settings.ToString() : null)
            : null;
    }

    internal EmulatorOptions Options => _options;

    internal string PackageName => _options.PackageName;

    /// <summary>The emulator's own address.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The v2 app-session endpoint, sent in <c>session_request</c> as <c>mentraOSWebsocketUrl</c>.</summary>
    public Uri WebSocketUrl { get; }

    private readonly ConcurrentQueue<ConnectionInit> _inits = new();
    private readonly ConcurrentQueue<WebhookResult> _photoUploads = new();

    /// <summary>Every init the emulator received, in order, whatever became of it (for tests that count connections).</summary>
    public IReadOnlyCollection<ConnectionInit> Inits => _inits;

    private int _openSockets;

    /// <summary>How many app sockets are open now, of any session, from the upgrade until the socket has ended.</summary>
    public int OpenSockets => Volatile.Read(ref _openSockets);

    /// <summary>Starts the emulator on 127.0.0.1.</summary>
    public static async Task<CloudEmulator> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        WebApplication app = builder.Build();
        // A keep-alive timeout makes the server send pings (without one it would send unsolicited pongs, which is not what
        // the cloud does); a day stands for "not tracked".
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.PingInterval, KeepAliveTimeout = options.PongTimeout ?? TimeSpan.FromDays(1) });
        CloudEmulator? emulator = null;
        app.Map("/app-ws", context => emulator!.AcceptAsync(context));
        app.MapGet("/api/tts", context => emulator!.SpeakAsync(context));
        app.MapPost("/api/auth/exchange-user-token", context => emulator!.Accounts.ExchangeAsync(context));
        app.Map("/api/sdk/simple-storage/{userId}", context => emulator!.Storage.HandleAsync(context, (string)context.Request.RouteValues["userId"]!, null));
        app.Map("/api/sdk/simple-storage/{userId}/{key}", context => emulator!.Storage.HandleAsync(context, (string)context.Request.RouteValues["userId"]!, (string)context.Request.RouteValues["key"]!));
        app.MapGet("/streams/{id}/{file}", context => { context.Response.ContentType = "text/plain"; return context.Response.WriteAsync("An emulated stream: no video is made.\n"); });
        app.MapGet("/audio-stream/{id}", context => { context.Response.ContentType = "audio/mpeg"; return Task.CompletedTask; });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator = new CloudEmulator(app, options, new Uri(address));
        return emulator;
    }

    /// <summary>The session with this id, once a <c>session_request</c> has been sent for it.</summary>
    public EmulatedSession? Session(string sessionId) => _sessions.TryGetValue(sessionId, out EmulatedSession? session) ? session : null;

    /// <summary>
    /// Sends <c>session_request</c> for <paramref name="userId"/> (session id <c>&lt;userId&gt;-&lt;packageName&gt;</c>) with this
    /// emulator's URL, or <paramref name="webSocketUrl"/> to try a forged one, and returns the app's answer and the session.
    /// </summary>
    public async Task<(WebhookResult Answer, EmulatedSession Session)> StartSessionAsync(string userId, Uri? webSocketUrl = null, CancellationToken cancellationToken = default)
    {
        string sessionId = userId + "-" + _options.PackageName;
        var session = new EmulatedSession(this, sessionId, userId);
        _sessions[sessionId] = session;
        string url = (webSocketUrl ?? WebSocketUrl).ToString();
        WebhookResult answer = await PostAsync(
            new SessionWebhookRequest { SessionId = sessionId, UserId = userId, Timestamp = Now(), MentraOSWebSocketUrl = url, AugmentOSWebSocketUrl = url, WebSocketUrl = "ws://" + BaseUrl.Authority + "/ws/miniapp" },
            cancellationToken).ConfigureAwait(false);
        return (answer, session);
    }

    /// <summary>Sends <c>stop_request</c> for the session (no retry, as the cloud).</summary>
    public Task<WebhookResult> SendStopRequestAsync(string sessionId, string reason = "user_disabled", CancellationToken cancellationToken = default)
    {
        EmulatedSession? session = Session(sessionId);
        session?.Stopping(); // the app's close that answers the stop is no drop: no resurrection follows
        return PostAsync(new StopWebhookRequest { SessionId = sessionId, UserId = session?.UserId ?? sessionId, Timestamp = Now(), Reason = reason }, cancellationToken);
    }

    /// <summary>What the app answered to each photo upload of the glasses, in order.</summary>
    public IReadOnlyCollection<WebhookResult> PhotoUploads => _photoUploads;

    /// <summary>
    /// Plays the glasses answering a <c>photo_request</c>: a <c>multipart/form-data</c> upload to the app's
    /// <c>/photo-upload</c> (or the request's own URL) with the request id and the photo, or the error report.
    /// </summary>
    internal async Task UploadPhotoAsync(PhotoRequest request)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(request.RequestId ?? string.Empty), "requestId");
        if (_options.PhotoError is { } code)
        {
            form.Add(new StringContent("photo_error"), "type");
            form.Add(new StringContent("false"), "success");
            form.Add(new StringContent(code), "errorCode");
            form.Add(new StringContent("The emulated camera reports " + code), "errorMessage");
        }
        else
        {
            var photo = new ByteArrayContent(_options.Photo);
            photo.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(_options.PhotoMimeType);
            form.Add(photo, "photo", "photo." + _options.PhotoMimeType.Split('/')[^1]);
        }

        Uri target = request.CustomWebhookUrl is { Length: > 0 } custom ? new Uri(custom) : At("/photo-upload");
        try
        {
            using HttpResponseMessage response = await _http.PostAsync(target, form).ConfigureAwait(false);
            _photoUploads.Enqueue(new WebhookResult((int)response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false)));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ObjectDisposedException)
        {
            _photoUploads.Enqueue(new WebhookResult(0, e.Message));
        }
    }

    /// <summary>
    /// The URL the phone opens for the app's webview at <paramref name="path"/>, as the cloud makes it for
    /// <paramref name="userId"/>: a signed user token, a temporary token, and this emulator as the cloud's API with its
    /// checksum.
    /// </summary>
    public Uri WebviewUrl(string userId, string path = "/webview")
    {
        string api = BaseUrl.GetLeftPart(UriPartial.Authority);
        string query = "?aos_temp_token=" + Uri.EscapeDataString(Accounts.IssueTempToken(userId))
            + "&aos_signed_user_token=" + Uri.EscapeDataString(Accounts.SignUserToken(userId))
            + "&cloudApiUrl=" + Uri.EscapeDataString(api)
            + "&cloudApiUrlChecksum=" + Accounts.CloudApiUrlChecksum(api);
        return new Uri(_options.AppUrl, path + query);
    }

    /// <summary>
    /// Plays the phone opening the app's webview at <paramref name="path"/> for <paramref name="userId"/>
    /// (<see cref="WebviewUrl"/>, without its cookie jar) and returns the app's answer.
    /// </summary>
    public Task<WebhookResult> OpenWebviewAsync(string userId, string path = "/webview", CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, WebviewUrl(userId, path).PathAndQuery, null, null, cancellationToken);

    /// <summary>
    /// Plays the user editing the app's settings in the phone app: the cloud pushes them to the app's <c>/settings</c>
    /// (<c>{"userIdForSettings":..,"settings":[..]}</c>, no credential), and unless <paramref name="overSocket"/> is false
    /// also sends <c>settings_update</c> on each of the user's open sessions, as the cloud does.
    /// </summary>
    public async Task<WebhookResult> PushSettingsAsync(string userId, IReadOnlyList<AppSetting> settings, bool overSocket = true, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new SettingsPush { UserId = userId, Settings = settings }, AppSessionJsonContext.Default.SettingsPush));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        _userSettings[userId] = settings; // what the user's next sessions are acked with
        WebhookResult answer = await SendAsync(HttpMethod.Post, "/settings", content, null, cancellationToken).ConfigureAwait(false);
        if (overSocket)
        {
            foreach (EmulatedSession session in _sessions.Values)
            {
                if (session.UserId == userId && session.IsOpen)
                {
                    await session.SendAsync(new SettingsUpdate { Settings = settings, SessionId = session.SessionId, PackageName = PackageName }).ConfigureAwait(false);
                }
            }
        }

        return answer;
    }

    private readonly ConcurrentDictionary<string, IReadOnlyList<AppSetting>> _userSettings = new(StringComparer.Ordinal);

    /// <summary>
    /// The user's settings with <paramref name="key"/> set to <paramref name="value"/> (JSON, such as <c>true</c>, <c>42</c>
    /// or <c>"dark"</c>; anything that is not JSON is a string), starting from <see cref="EmulatorOptions.Settings"/>; the
    /// emulator remembers them for the user's next sessions and edits. Push them with <see cref="PushSettingsAsync"/>.
    /// </summary>
    public IReadOnlyList<AppSetting> EditSetting(string userId, string key, string value)
    {
        JsonElement parsed;
        try
        {
            using JsonDocument document = JsonDocument.Parse(value);
            parsed = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            using JsonDocument text = JsonDocument.Parse("\"" + JsonEncodedText.Encode(value) + "\"");
            parsed = text.RootElement.Clone();
        }

        IReadOnlyList<AppSetting> edited = _userSettings.AddOrUpdate(
            userId,
            _ => With(_options.Settings, key, parsed),
            (_, current) => With(current, key, parsed));
        return edited;

        static IReadOnlyList<AppSetting> With(IReadOnlyList<AppSetting> settings, string key, JsonElement value)
        {
            var list = settings.Where(s => s.Key != key).ToList();
            AppSetting? old = settings.FirstOrDefault(s => s.Key == key);
            list.Add((old ?? new AppSetting { Key = key }) with { Value = value });
            return list;
        }
    }

    /// <summary>The settings a session of <paramref name="userId"/> is acked with: the edited ones, or <see cref="EmulatorOptions.Settings"/>.</summary>
    internal IReadOnlyList<AppSetting> SettingsOf(string userId) => _userSettings.TryGetValue(userId, out IReadOnlyList<AppSetting>? edited) ? edited : _options.Settings;

    /// <summary>
    /// Plays the assistant calling the app's tool <paramref name="toolId"/> for <paramref name="userId"/>:
    /// <c>POST /tool</c> with the parameters (a JSON object) and <c>X-App-API-Key</c>, the SHA-256 of the app's key, as
    /// the cloud sends it (<paramref name="hashedKey"/> replaces it; an empty one leaves the header out).
    /// </summary>
    public Task<WebhookResult> CallToolAsync(string userId, string toolId, string parametersJson = "{}", string? hashedKey = null, CancellationToken cancellationToken = default)
    {
        using JsonDocument parameters = JsonDocument.Parse(parametersJson);
        var call = new ToolCall { ToolId = toolId, UserId = userId, ToolParameters = parameters.RootElement.Clone(), Timestamp = Now() };
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(call, AppSessionJsonContext.Default.ToolCall));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        string key = hashedKey ?? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(_options.ApiKey)));
        return SendAsync(HttpMethod.Post, "/tool", content, key.Length == 0 ? null : key, cancellationToken);
    }

    /// <summary>The app's tool definitions, as it serves them (<c>GET /tool/definitions</c>).</summary>
    public Task<WebhookResult> ToolDefinitionsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "/tool/definitions", null, null, cancellationToken);

    private async Task<WebhookResult> SendAsync(HttpMethod method, string path, HttpContent? content, string? hashedKey, CancellationToken cancellationToken)
    {
        using (content)
        {
            using var request = new HttpRequestMessage(method, At(path)) { Content = content };
            if (hashedKey is not null)
            {
                request.Headers.Add("X-App-API-Key", hashedKey);
            }

            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return new WebhookResult((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Polls the app's <c>/health</c> as the cloud does, and returns its <c>activeSessions</c>.</summary>
    public async Task<int> PollHealthAsync(CancellationToken cancellationToken = default)
    {
        using JsonDocument health = JsonDocument.Parse(await _http.GetStringAsync(At("/health"), cancellationToken).ConfigureAwait(false));
        return health.RootElement.GetProperty("activeSessions").GetInt32();
    }

    private async Task<WebhookResult> PostAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, MentraJsonContext.Default.WebhookRequest));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await _http.PostAsync(At("/webhook"), content, cancellationToken).ConfigureAwait(false);
        return new WebhookResult((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>One app socket: the init and its checks, in the cloud's order, then the session's messages.</summary>
    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        Interlocked.Increment(ref _openSockets);
        try
        {
            await AttachAsync(new EmulatedConnection(socket)).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _openSockets);
        }
    }

    /// <summary>The init and its checks, in the cloud's order, then the session's messages until the socket ends.</summary>
    private async Task AttachAsync(EmulatedConnection connection)
    {
        AppMessage? first = await connection.ReceiveAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (first is not ConnectionInit init)
        {
            await connection.CloseAsync(WebSocketCloseStatus.PolicyViolation, "Expected tpa_connection_init").ConfigureAwait(false);
            return;
        }

        _inits.Enqueue(init);
        EmulatedSession? session = Session(init.SessionId);
        if (session is null)
        {
            await connection.RefuseAsync(ConnectionErrorCode.SessionNotFound, "Session not found").ConfigureAwait(false);
            return;
        }

        if (init.ApiKey != _options.ApiKey || init.PackageName != _options.PackageName)
        {
            await connection.RefuseAsync(ConnectionErrorCode.InvalidApiKey, "Invalid API key").ConfigureAwait(false);
            return;
        }

        if (!session.MayConnect(_options))
        {
            await (session.EverConnected
                ? connection.RefuseAsync(ConnectionErrorCode.SessionNotFound, "Session not found")
                : connection.RefuseAsync(ConnectionErrorCode.AppNotStarted, "App not started for this session")).ConfigureAwait(false);
            return;
        }

        if (_options.WithholdAck)
        {
            while (await connection.ReceiveAsync().ConfigureAwait(false) is not null)
            {
            }

            return;
        }

        if (_options.AckDelay > TimeSpan.Zero)
        {
            await Task.Delay(_options.AckDelay).ConfigureAwait(false);
        }

        await session.RunAsync(connection, _options).ConfigureAwait(false);
    }

    /// <summary>
    /// The cloud's resurrection of a session whose app did not come back within the grace period: a stop webhook, then
    /// a new <c>session_request</c> for the same user (a new <see cref="EmulatedSession"/> under the same id).
    /// </summary>
    internal async Task ResurrectAsync(EmulatedSession session)
    {
        if (!ReferenceEquals(Session(session.SessionId), session))
        {
            return;
        }

        await SendStopRequestAsync(session.SessionId).ConfigureAwait(false);
        await StartSessionAsync(session.UserId).ConfigureAwait(false);
    }

    internal ConnectionAck Ack(EmulatedSession session) => new()
    {
        SessionId = session.SessionId,
        Settings = SettingsOf(session.UserId),
        MentraosSettings = _options.LegacyAck ? null : DefaultGlasses.SystemSettings,
        AugmentosSettings = _options.LegacyAck ? DefaultGlasses.SystemSettings : null,
        Capabilities = _options.Capabilities,
        Timestamp = Now(),
    };

    internal static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (EmulatedSession session in _sessions.Values)
        {
            session.Abort();
        }

        _http.Dispose();
        Accounts.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>One socket of one session, from the cloud's side: whole messages in and out.</summary>
internal sealed class EmulatedConnection(WebSocket socket)
{
    private readonly SemaphoreSlim _send = new(1, 1);

    public WebSocket Socket => socket;

    /// <summary>The close the app sent, if it closed.</summary>
    public (int? Status, string? Reason) Closed { get; private set; }

    /// <summary>The next app message; null when the socket closed. Text that is not JSON closes the socket 1011, as the cloud does.</summary>
    public async Task<AppMessage?> ReceiveAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
        {
            limit.CancelAfter(t);
        }

        try
        {
            (WebSocketMessageType kind, byte[] data) = await ReceiveRawAsync(limit.Token).ConfigureAwait(false);
            if (kind == WebSocketMessageType.Close)
            {
                return null;
            }

            if (kind == WebSocketMessageType.Binary)
            {
                LastBinary = data;
                return new UnknownAppMessage("(binary)", JsonDocument.Parse("{}").RootElement.Clone());
            }

            try
            {
                return JsonSerializer.Deserialize(data, AppSessionJsonContext.Default.AppMessage);
            }
            catch (JsonException)
            {
                InvalidJson = Encoding.UTF8.GetString(data);
                await CloseAsync(WebSocketCloseStatus.InternalServerError, "Internal server error").ConfigureAwait(false);
                return null;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or System.IO.IOException)
        {
            return null;
        }
    }

    /// <summary>The last binary frame the app sent (audio output: a stream id, then audio).</summary>
    public byte[]? LastBinary { get; private set; }

    /// <summary>The last text frame that was not valid JSON, if any.</summary>
    public string? InvalidJson { get; private set; }

    private async Task<(WebSocketMessageType, byte[])> ReceiveRawAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        using var data = new System.IO.MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                Closed = ((int?)result.CloseStatus, result.CloseStatusDescription);
                return (WebSocketMessageType.Close, []);
            }

            data.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, data.ToArray());
            }
        }
    }

    public Task SendAsync(CloudMessage message, CancellationToken cancellationToken = default) =>
        SendRawAsync(JsonSerializer.SerializeToUtf8Bytes(message, AppSessionJsonContext.Default.CloudMessage), WebSocketMessageType.Text, cancellationToken);

    public async Task SendRawAsync(byte[] data, WebSocketMessageType kind, CancellationToken cancellationToken = default)
    {
        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(data, kind, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>The cloud's refusal: <c>tpa_connection_error</c> with the code, then close 1008 with the message.</summary>
    public async Task RefuseAsync(ConnectionErrorCode code, string message)
    {
        await SendAsync(new ConnectionError { Code = code, Message = message, Timestamp = CloudEmulator.Now() }).ConfigureAwait(false);
        await CloseAsync(WebSocketCloseStatus.PolicyViolation, message).ConfigureAwait(false);
    }

    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
