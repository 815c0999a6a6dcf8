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
/// The webhook endpoint. Every answer is a JSON <see cref="WebhookResponse"/>, decided in one place (<c>Finish</c>) from
/// how the webhook ended (<see cref="WebhookOutcome"/>): the sender's mistakes are 4xx with a message that says what is
/// wrong, a handler's exception is 500 with a generic message (the exception goes to the log), and nothing else is ever
/// sent. What a webhook does to the sessions is the session manager's, which alone keeps the active sessions.
/// </summary>
internal sealed class WebhookEndpoint(
    IWebhookDispatcher dispatcher,
    WebSocketUrlPolicy urlPolicy,
    Sessions.AppSessionManager sessions,
    IServiceProvider root,
    ServiceLifetimes lifetimes,
    IOptions<MentraOptions> options,
    MentraMetrics metrics,
    HostLogLimits logLimits,
    ILogger<WebhookEndpoint> logger)
{
    /// <summary>The message sent when a handler throws; the exception itself is only logged.</summary>
    internal const string HandlerFailedMessage = "The app failed to handle the webhook";

    /// <summary>
    /// Writes responses with only the escaping JSON needs, so messages read as written ('reason', not \u0027reason\u0027).
    /// The answers are application/json, never embedded in HTML.
    /// </summary>
    internal static readonly MentraJsonContext ResponseJson = new(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static readonly byte[] SuccessJson = JsonSerializer.SerializeToUtf8Bytes(WebhookResponse.Success, ResponseJson.WebhookResponse);

    private readonly long _maxBodySize = options.Value.MaxRequestBodySize;

    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!IsJson(request))
        {
            Finish(context, new Attempt(), WebhookOutcome.NotJson, "The Content-Type must be application/json");
            return;
        }

        if (request.ContentLength > _maxBodySize)
        {
            Finish(context, new Attempt(), WebhookOutcome.TooLarge, TooLargeMessage);
            return;
        }

        // The indexer, not Features.Get<T>(): a generic virtual call is a slow lookup under NativeAOT, on every request.
        if (context.Features[typeof(IHttpMaxRequestBodySizeFeature)] is IHttpMaxRequestBodySizeFeature { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _maxBodySize;
        }

        WebhookRequest webhook;
        byte[]? claim = null;
        byte[]? forwardable = null;
        try
        {
            using WebhookBody body = await WebhookBody.ReadAsync(request, _maxBodySize, context.RequestAborted);
            if (Read(context, body) is not { } read)
            {
                return;
            }

            webhook = read;
            if (_coordinator.Distributed && !Coordination.CoordinatedReplica.IsForwarded(context))
            {
                // Among several replicas: the cloud's retries of a session webhook are answered once, by the body's
                // hash, and a stop may be for a session another replica owns, which is then sent the webhook as it came.
                if (webhook is SessionWebhookRequest or SessionRecoveryWebhookRequest)
                {
                    claim = System.Security.Cryptography.SHA256.HashData(body.Span);
                }
                else if (webhook is StopWebhookRequest && sessions.Enabled)
                {
                    forwardable = body.Span.ToArray();
                }
            }
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

        if (claim is not null && await _coordinator.ClaimWebhookAsync(claim, context.RequestAborted) is { } earlier)
        {
            Log.RetryAnswered(logger, webhook.Type.Value, earlier.Status);
            Write(context, earlier.Status, earlier.Body);
            return;
        }

        await DispatchAsync(context, webhook, claim, forwardable);
    }

    private readonly Coordination.SessionCoordinator _coordinator = sessions.Coordinator;

    /// <summary>The webhook in <paramref name="body"/>, or null once the sender's mistake has been answered.</summary>
    private WebhookRequest? Read(HttpContext context, in WebhookBody body)
    {
        if (body.IsTooLarge)
        {
            Finish(context, new Attempt(), WebhookOutcome.TooLarge, TooLargeMessage);
            return null;
        }

        if (body.Span.IsEmpty)
        {
            Finish(context, new Attempt(), WebhookOutcome.Unreadable, "The body is empty; a webhook is a JSON object");
            return null;
        }

        try
        {
            if ((ReadDirect(body.Span) ?? JsonSerializer.Deserialize(body.Span, MentraJsonContext.Default.WebhookRequest)) is { } webhook)
            {
                return webhook;
            }

            Finish(context, new Attempt(), WebhookOutcome.Unreadable, "Invalid webhook: the body is null; a webhook is a JSON object");
        }
        catch (JsonException e)
        {
            Finish(context, new Attempt(), WebhookOutcome.Unreadable, "Invalid webhook: " + e.Message);
        }

        return null;
    }

    private async Task DispatchAsync(HttpContext context, WebhookRequest webhook, byte[]? claim, byte[]? forwardable)
    {
        string type = webhook.Type.Value;
        if (Activity.Current is { Recorded: false })
        {
            // The request's own activity, which nothing records (no ASP.NET Core instrumentation): under it, a sampler
            // that follows the parent would drop the webhook's span too, so the span starts a trace of its own. (This
            // method's change of the current activity does not reach its caller.)
            Activity.Current = null;
        }

        var attempt = new Attempt(type, MentraTelemetry.ActivitySource.StartActivity("mentra.webhook", ActivityKind.Server)) { Claim = claim };
        using Activity? activity = attempt.Activity;
        activity?.SetTag("webhook.type", type);
        Log.Received(logger, type);

        if (urlPolicy.Check(webhook) is { } untrusted)
        {
            Finish(context, attempt, WebhookOutcome.UntrustedUrl, "Untrusted WebSocket URL: " + untrusted);
            return;
        }

        if (sessions.Enabled && Sessions.AppSessionManager.UrlOf(webhook) is null && webhook is SessionWebhookRequest or SessionRecoveryWebhookRequest)
        {
            Finish(context, attempt, WebhookOutcome.NoSessionUrl, "The " + type + " names no WebSocket URL (mentraOSWebsocketUrl, augmentOSWebsocketUrl): the app connects its sessions and cannot connect this one");
            return;
        }

        attempt.Started = metrics.HandlerTimingEnabled ? Stopwatch.GetTimestamp() : 0;
        if (forwardable is not null && webhook is StopWebhookRequest forStop && !sessions.Holds(forStop.SessionId)
            && await _coordinator.ForwardAsync(new Coordination.ForwardedCall(Coordination.ForwardedKind.Webhook, forStop.SessionId, forwardable, Coordination.CoordinatedReplica.NoFields), context.RequestAborted) is { } owners)
        {
            // The owner ran the stop (and its handler) and answered; its answer is this one.
            Log.Forwarded(logger, type, owners.Status);
            activity?.SetTag("outcome", "forwarded");
            Write(context, owners.Status, owners.Body);
            return;
        }

        if (webhook is StopWebhookRequest stop && !await sessions.StopFromWebhookAsync(stop.SessionId))
        {
            Finish(context, attempt, WebhookOutcome.AlreadyStopped, WebhookResponse.Success);
            return;
        }

        WebhookResponse response;
        try
        {
            response = await dispatcher.DispatchAsync(webhook, new WebhookServices(root, lifetimes, context), context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            Finish(context, attempt, WebhookOutcome.SenderGone, string.Empty);
            return;
        }
        catch (Exception e)
        {
            Log.HandlerFailed(logger, type, e);
            activity?.AddException(e);
            Finish(context, attempt, WebhookOutcome.HandlerFailed, HandlerFailedMessage);
            return;
        }

        if (!response.IsSuccess)
        {
            Finish(context, attempt, response.IsInvalidRequest ? WebhookOutcome.InvalidRequest : WebhookOutcome.Refused, response);
            return;
        }

        if (await sessions.AcceptedAsync(webhook, context.RequestAborted) is { } failure)
        {
            Finish(context, attempt, WebhookOutcome.ConnectFailed, "Failed to connect the session: " + failure);
            return;
        }

        Finish(context, attempt, WebhookOutcome.Handled, response);
    }

    private void Finish(HttpContext context, in Attempt attempt, WebhookOutcome outcome, string message) =>
        Finish(context, attempt, outcome, WebhookResponse.Error(message));

    /// <summary>
    /// The one place that turns how a webhook ended into its answer: the status, the log line, the metric and the trace,
    /// outcome by outcome. The sender's mistakes are 4xx and a limited warning, with a message that says what is wrong;
    /// a handler's refusal is 422; a handler's exception is 500 with a generic message (the exception was logged where it
    /// was caught); a session that would not connect is 502; a sender that went away gets nothing.
    /// </summary>
    private void Finish(HttpContext context, in Attempt attempt, WebhookOutcome outcome, WebhookResponse response)
    {
        (int status, string metric) = outcome switch
        {
            WebhookOutcome.Handled or WebhookOutcome.AlreadyStopped => (StatusCodes.Status200OK, "success"),
            WebhookOutcome.NotJson => (StatusCodes.Status415UnsupportedMediaType, "rejected"),
            WebhookOutcome.TooLarge => (StatusCodes.Status413PayloadTooLarge, "rejected"),
            WebhookOutcome.TooSlow => (StatusCodes.Status408RequestTimeout, "rejected"),
            WebhookOutcome.Unreadable or WebhookOutcome.UntrustedUrl or WebhookOutcome.NoSessionUrl or WebhookOutcome.InvalidRequest => (StatusCodes.Status400BadRequest, "rejected"),
            WebhookOutcome.Refused => (StatusCodes.Status422UnprocessableEntity, "error"),
            WebhookOutcome.HandlerFailed => (StatusCodes.Status500InternalServerError, "failed"),
            WebhookOutcome.ConnectFailed => (StatusCodes.Status502BadGateway, "failed"),
            _ => (0, "cancelled"), // SenderGone
        };

        switch (outcome)
        {
            case WebhookOutcome.UntrustedUrl when Log.Limited(logger, logLimits, HostWarning.UntrustedWebSocketUrl):
                Log.UntrustedWebSocketUrl(logger, attempt.Type, response.Message ?? string.Empty);
                break;
            case WebhookOutcome.NotJson or WebhookOutcome.TooLarge or WebhookOutcome.TooSlow or WebhookOutcome.Unreadable or WebhookOutcome.NoSessionUrl or WebhookOutcome.InvalidRequest
                when Log.Limited(logger, logLimits, HostWarning.WebhookRejected):
                Log.Rejected(logger, status, response.Message ?? string.Empty);
                break;
            case WebhookOutcome.Refused:
                Log.HandlerRefused(logger, attempt.Type, response.Message);
                break;
            case WebhookOutcome.SenderGone:
                Log.SenderGone(logger, attempt.Type);
                break;
        }

        if (attempt.Activity is { } activity)
        {
            activity.SetTag("outcome", metric);
            if (metric is "failed" or "rejected")
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        metrics.Received(attempt.Type, metric);
        if (attempt.Started != 0)
        {
            metrics.Handled(attempt.Type, metric, Stopwatch.GetElapsedTime(attempt.Started));
        }

        if (status != 0)
        {
            byte[] json = ReferenceEquals(response, WebhookResponse.Success) ? SuccessJson : JsonSerializer.SerializeToUtf8Bytes(response, ResponseJson.WebhookResponse);
            if (attempt.Claim is { } claim)
            {
                _coordinator.CompleteWebhook(claim, status, json);
            }

            Write(context, status, json);
        }
        else if (attempt.Claim is { } dropped)
        {
            _coordinator.CompleteWebhook(dropped, 0, []);
        }
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
        (WebhookOutcome outcome, string message) = e.StatusCode switch
        {
            StatusCodes.Status408RequestTimeout => (WebhookOutcome.TooSlow, "The body did not arrive in time: it came too slowly or stopped before its Content-Length"),
            StatusCodes.Status413PayloadTooLarge => (WebhookOutcome.TooLarge, TooLargeMessage),
            _ => (WebhookOutcome.Unreadable, "The body could not be read: " + e.Message),
        };
        Finish(context, new Attempt(), outcome, message);
        if (!context.RequestAborted.IsCancellationRequested)
        {
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
    }

    private string TooLargeMessage => $"The body is larger than {_maxBodySize} bytes";

    /// <summary>
    /// <c>application/json</c>, with or without parameters such as <c>charset</c>; the exact header the cloud sends is
    /// matched without parsing it.
    /// </summary>
    private static bool IsJson(HttpRequest request) =>
        string.Equals(request.ContentType, "application/json", StringComparison.OrdinalIgnoreCase) || request.HasJsonContentType();

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

/// <summary>How one webhook ended. Every exit of <see cref="WebhookEndpoint"/> is one of these, answered by its <c>Finish</c>.</summary>
internal enum WebhookOutcome
{
    /// <summary>The handler ran and accepted (200 with its response); a session it accepted is connected.</summary>
    Handled,

    /// <summary>A stop webhook for a session that has already stopped, whose stop handler has run: 200 without the handler.</summary>
    AlreadyStopped,

    /// <summary>The Content-Type is not JSON: 415.</summary>
    NotJson,

    /// <summary>The body is larger than the limit: 413.</summary>
    TooLarge,

    /// <summary>The body came too slowly, or stopped before its Content-Length: 408.</summary>
    TooSlow,

    /// <summary>The body is not a webhook (empty, malformed JSON, a field of the wrong type, broken framing): 400.</summary>
    Unreadable,

    /// <summary>A WebSocket URL in the webhook is not trusted (it may be forged); no handler ran: 400.</summary>
    UntrustedUrl,

    /// <summary>A session webhook without a WebSocket URL, when the app connects sessions; no handler ran: 400.</summary>
    NoSessionUrl,

    /// <summary>
    /// An answer that blames the sender (<see cref="WebhookResponse.InvalidRequest"/>): the dispatcher's for a type nobody
    /// handles or JSON that does not fit its record, or a handler's: 400.
    /// </summary>
    InvalidRequest,

    /// <summary>The handler answered an error: 422 with its response.</summary>
    Refused,

    /// <summary>The handler threw: 500 with a generic message.</summary>
    HandlerFailed,

    /// <summary>The handler accepted a session that could not be connected: 502.</summary>
    ConnectFailed,

    /// <summary>The sender went away before the handler finished: nothing is written.</summary>
    SenderGone,
}

/// <summary>What the answer of one webhook needs to know of it: its type (once read), its trace and when its handling started.</summary>
internal struct Attempt(string type, Activity? activity)
{
    /// <summary>A request refused before its body was read as a webhook: its metrics' type is <c>(unread)</c>.</summary>
    public Attempt()
        : this("(unread)", null)
    {
    }

    public readonly string Type = type;

    public readonly Activity? Activity = activity;

    /// <summary>The timestamp when handling started, or 0 when the handler's duration is not measured (or it did not start).</summary>
    public long Started;

    /// <summary>The hash of a session webhook's body claimed among the replicas, whose answer is recorded for its retries.</summary>
    public byte[]? Claim;
}
