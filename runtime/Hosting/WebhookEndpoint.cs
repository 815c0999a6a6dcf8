using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mentra.Generated;

/// <summary>
/// The webhook and health endpoints. Every answer is a JSON <see cref="WebhookResponse"/>: the sender's
/// mistakes are 4xx with a message that says what is wrong, a handler's exception is 500 with a generic
/// message (the exception goes to the log), and nothing else is ever sent.
/// </summary>
internal sealed class WebhookEndpoint(
    IWebhookDispatcher dispatcher,
    ActiveSessionRegistry sessions,
    WebSocketUrlPolicy urlPolicy,
    MentraMetrics metrics,
    IServiceProvider root,
    ServiceLifetimes lifetimes,
    Sessions.AppSessionManager appSessions,
    IOptions<MentraOptions> options,
    HostLogLimits logLimits,
    ILogger<WebhookEndpoint> logger)
{
    /// <summary>The message sent when a handler throws; the exception itself is only logged.</summary>
    internal const string HandlerFailedMessage = "The app failed to handle the webhook";

    /// <summary>
    /// Writes responses with only the escaping JSON needs, so messages read as written ('reason', not \u0027reason\u0027).
    /// The answers are application/json, never embedded in HTML.
    /// </summary>
    private static readonly MentraJsonContext ResponseJson = new(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static readonly byte[] SuccessJson = JsonSerializer.SerializeToUtf8Bytes(WebhookResponse.Success, ResponseJson.WebhookResponse);

    private readonly long _maxBodySize = options.Value.MaxRequestBodySize;
    private readonly string _packageName = options.Value.PackageName ?? string.Empty;

    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!IsJson(request))
        {
            Reject(context, StatusCodes.Status415UnsupportedMediaType, "The Content-Type must be application/json");
            return;
        }

        if (request.ContentLength > _maxBodySize)
        {
            RejectTooLarge(context);
            return;
        }

        // The indexer, not Features.Get<T>(): a generic virtual call is a slow lookup under NativeAOT, on every request.
        if (context.Features[typeof(IHttpMaxRequestBodySizeFeature)] is IHttpMaxRequestBodySizeFeature { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _maxBodySize;
        }

        WebhookRequest webhook;
        try
        {
            using WebhookBody body = await WebhookBody.ReadAsync(request, _maxBodySize, context.RequestAborted);
            if (Read(context, body) is not { } read)
            {
                return;
            }

            webhook = read;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            return; // the sender went away while sending
        }
        catch (BadHttpRequestException e)
        {
            // The server refused the body as it came: too slow (408) or malformed framing (400). The sender's mistake,
            // answered in JSON like every other, and logged as a warning without the exception's trace.
            await RejectBodyAsync(context, e);
            return;
        }

        await DispatchAsync(context, webhook);
    }

    public Task HealthAsync(HttpContext context)
    {
        var json = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("status"u8, "healthy"u8);
            writer.WriteString("app"u8, _packageName);
            writer.WriteNumber("activeSessions"u8, sessions.Count);
            writer.WriteEndObject();
        }

        context.Response.Headers.CacheControl = "no-store";
        Write(context, StatusCodes.Status200OK, json.WrittenSpan);
        return Task.CompletedTask;
    }

    /// <summary>The webhook in <paramref name="body"/>, or null once the sender's mistake has been answered.</summary>
    private WebhookRequest? Read(HttpContext context, in WebhookBody body)
    {
        if (body.IsTooLarge)
        {
            RejectTooLarge(context);
            return null;
        }

        if (body.Span.IsEmpty)
        {
            Reject(context, StatusCodes.Status400BadRequest, "The body is empty; a webhook is a JSON object");
            return null;
        }

        try
        {
            if ((ReadDirect(body.Span) ?? JsonSerializer.Deserialize(body.Span, MentraJsonContext.Default.WebhookRequest)) is { } webhook)
            {
                return webhook;
            }

            Reject(context, StatusCodes.Status400BadRequest, "Invalid webhook: the body is null; a webhook is a JSON object");
        }
        catch (JsonException e)
        {
            Reject(context, StatusCodes.Status400BadRequest, "Invalid webhook: " + e.Message);
        }

        return null;
    }

    private async Task DispatchAsync(HttpContext context, WebhookRequest webhook)
    {
        string type = webhook.Type.Value;
        using Activity? activity = MentraTelemetry.ActivitySource.StartActivity("mentra.webhook", ActivityKind.Server);
        activity?.SetTag("webhook.type", type);
        Log.Received(logger, type);

        if (urlPolicy.Check(webhook) is { } untrusted)
        {
            if (Log.Limited(logger, logLimits, HostWarning.UntrustedWebSocketUrl))
            {
                Log.UntrustedWebSocketUrl(logger, type, untrusted);
            }

            Finish(activity, type, "rejected");
            Answer(context, StatusCodes.Status400BadRequest, WebhookResponse.Error("Untrusted WebSocket URL: " + untrusted));
            return;
        }

        if (appSessions.Enabled && SessionUrl(webhook) is null && webhook is SessionWebhookRequest or SessionRecoveryWebhookRequest)
        {
            string message = "The " + type + " names no WebSocket URL (mentraOSWebsocketUrl, augmentOSWebsocketUrl): the app connects its sessions and cannot connect this one";
            if (Log.Limited(logger, logLimits, HostWarning.WebhookRejected))
            {
                Log.Rejected(logger, StatusCodes.Status400BadRequest, message);
            }

            Finish(activity, type, "rejected");
            Answer(context, StatusCodes.Status400BadRequest, WebhookResponse.Error(message));
            return;
        }

        long started = metrics.HandlerTimingEnabled ? Stopwatch.GetTimestamp() : 0;
        if (appSessions.Enabled && webhook is StopWebhookRequest stop && !await appSessions.StopFromWebhookAsync(stop.SessionId))
        {
            // The session already stopped over its socket (app_stopped, its close) and the stop handler has run.
            Finish(activity, type, "success", started);
            Answer(context, StatusCodes.Status200OK, WebhookResponse.Success);
            return;
        }

        bool connects = appSessions.Enabled && webhook is SessionWebhookRequest or SessionRecoveryWebhookRequest;
        WebhookResponse? response = null;
        try
        {
            response = await dispatcher.DispatchAsync(webhook, new WebhookServices(root, lifetimes, context), context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            Log.SenderGone(logger, type);
            Finish(activity, type, "cancelled", started);
            return;
        }
        catch (Exception e)
        {
            Log.HandlerFailed(logger, type, e);
            activity?.AddException(e);
            Finish(activity, type, "failed", started);
            Answer(context, StatusCodes.Status500InternalServerError, WebhookResponse.Error(HandlerFailedMessage));
            return;
        }
        finally
        {
            if (!connects)
            {
                LogSessionChange(sessions.Track(webhook, accepted: response?.IsSuccess == true));
            }
        }

        if (connects && response.IsSuccess && await ConnectAsync(context, webhook) is { } failure)
        {
            Finish(activity, type, "failed", started);
            Answer(context, StatusCodes.Status502BadGateway, WebhookResponse.Error("Failed to connect the session: " + failure));
            return;
        }

        if (!response.IsSuccess)
        {
            Log.HandlerRefused(logger, type, response.Message);
            Finish(activity, type, "error", started);
            int status = WebhookDispatch.IsSendersMistake(response) ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity;
            Answer(context, status, response);
            return;
        }

        Finish(activity, type, "success", started);
        Answer(context, StatusCodes.Status200OK, response);
    }

    /// <summary>
    /// Connects the session the app accepted and waits for the cloud's ack (the ack timeout at most), so that the webhook
    /// is answered success only for a live session; null on success, else why it failed. The app's handlers for the
    /// session run on the session's own worker, after the ack and after this answer, never holding the webhook.
    /// </summary>
    private Task<string?> ConnectAsync(HttpContext context, WebhookRequest webhook) =>
        appSessions.StartAsync(webhook.SessionId, webhook.UserId, SessionUrl(webhook)!, context.RequestAborted); // checked before the handler ran

    /// <summary>The WebSocket URL a session webhook names (the v2 one, else the legacy one); null for other webhooks.</summary>
    private static string? SessionUrl(WebhookRequest webhook) => webhook switch
    {
        SessionWebhookRequest session => session.ResolvedWebSocketUrl,
        SessionRecoveryWebhookRequest recovery => recovery.ResolvedWebSocketUrl,
        _ => null,
    };

    private void LogSessionChange(SessionChange change)
    {
        if (change == SessionChange.None || !logger.IsEnabled(LogLevel.Information))
        {
            return; // counting the sessions takes the registry's lock and drops its expired entries
        }

        switch (change)
        {
            case SessionChange.Started:
                Log.SessionStarted(logger, sessions.Count);
                break;
            case SessionChange.Replaced:
                Log.SessionReplaced(logger, sessions.Count);
                break;
            case SessionChange.Stopped:
                Log.SessionStopped(logger, sessions.Count);
                break;
        }
    }

    private void Finish(Activity? activity, string type, string outcome, long started = 0)
    {
        activity?.SetTag("outcome", outcome);
        if (outcome is "failed" or "rejected")
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }

        metrics.Received(type, outcome);
        if (started != 0)
        {
            metrics.Handled(type, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private void Reject(HttpContext context, int status, string message)
    {
        if (Log.Limited(logger, logLimits, HostWarning.WebhookRejected))
        {
            Log.Rejected(logger, status, message);
        }

        metrics.Received("(unread)", "rejected");
        Answer(context, status, WebhookResponse.Error(message));
    }

    /// <summary>
    /// The webhook read by the generated converter itself, without JsonSerializer's per-call work, when the body is one
    /// JSON object and nothing after it; null otherwise, and then JsonSerializer reads the body again, so that whatever
    /// it is (malformed, null, an array, trailing text, a field that does not fit) is answered with exactly the message
    /// JsonSerializer gives. The reader's options are JsonSerializer's defaults: no comments, no trailing commas, depth 64.
    /// </summary>
    private static WebhookRequest? ReadDirect(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                WebhookRequest webhook = Serialization.WebhookRequestJsonConverter.ReadObject(ref reader);
                return reader.Read() ? null : webhook;
            }
        }
        catch (Exception)
        {
            // Any failure (a JsonException, or invalid UTF-8's InvalidOperationException, which JsonSerializer turns into
            // a JsonException): read again by JsonSerializer, which then fails exactly as it always did.
        }

        return null;
    }

    /// <summary>
    /// A body the server refused as it came: too slow (408), too large (413) or malformed framing (400). The answer is sent
    /// at once: the server would otherwise replace a refused request's answer with an empty one of its own.
    /// </summary>
    internal async Task RejectBodyAsync(HttpContext context, BadHttpRequestException e)
    {
        (int status, string message) = e.StatusCode switch
        {
            StatusCodes.Status408RequestTimeout => (StatusCodes.Status408RequestTimeout, "The body did not arrive in time: it came too slowly or stopped before its Content-Length"),
            StatusCodes.Status413PayloadTooLarge => (StatusCodes.Status413PayloadTooLarge, $"The body is larger than {_maxBodySize} bytes"),
            _ => (StatusCodes.Status400BadRequest, "The body could not be read: " + e.Message),
        };
        Reject(context, status, message);
        if (!context.RequestAborted.IsCancellationRequested)
        {
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
    }

    private void RejectTooLarge(HttpContext context) =>
        Reject(context, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {_maxBodySize} bytes");

    /// <summary>
    /// <c>application/json</c>, with or without parameters such as <c>charset</c>; the exact header the cloud sends is
    /// matched without parsing it.
    /// </summary>
    private static bool IsJson(HttpRequest request) =>
        string.Equals(request.ContentType, "application/json", StringComparison.OrdinalIgnoreCase) || request.HasJsonContentType();

    private static void Answer(HttpContext context, int status, WebhookResponse response) =>
        Write(context, status, ReferenceEquals(response, WebhookResponse.Success) ? SuccessJson : JsonSerializer.SerializeToUtf8Bytes(response, ResponseJson.WebhookResponse));

    /// <summary>
    /// Writes a whole JSON answer with its <c>Content-Length</c> and does not flush: the server sends headers and body in
    /// one write when the request ends, where a flush would send a chunked body and then its end in a second write.
    /// Nothing is written to a sender that has gone. (The photo upload endpoint answers the same way.)
    /// </summary>
    internal static void Write(HttpContext context, int status, ReadOnlySpan<byte> json)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = json.Length;
        response.BodyWriter.Write(json);
    }
}
