using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading;
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
    WebhookMetrics metrics,
    IOptions<MentraOptions> options,
    ILogger<WebhookEndpoint> logger)
{
    /// <summary>The message sent when a handler throws; the exception itself is only logged.</summary>
    internal const string HandlerFailedMessage = "The app failed to handle the webhook";

    /// <summary>
    /// Writes responses with only the escaping JSON needs, so messages read as written ('reason', not \u0027reason\u0027).
    /// The answers are application/json, never embedded in HTML.
    /// </summary>
    private static readonly MentraJsonContext ResponseJson = new(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private readonly long _maxBodySize = options.Value.MaxRequestBodySize;
    private readonly string _packageName = options.Value.PackageName ?? string.Empty;

    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!request.HasJsonContentType())
        {
            await RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, "The Content-Type must be application/json");
            return;
        }

        if (request.ContentLength > _maxBodySize)
        {
            await RejectAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {_maxBodySize} bytes");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _maxBodySize;
        }

        byte[]? buffer = null;
        try
        {
            int length;
            try
            {
                (buffer, length) = await ReadBodyAsync(request.Body, _maxBodySize, context.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                length = -1;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            if (length < 0)
            {
                await RejectAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {_maxBodySize} bytes");
                return;
            }

            if (length == 0)
            {
                await RejectAsync(context, StatusCodes.Status400BadRequest, "The body is empty; a webhook is a JSON object");
                return;
            }

            WebhookRequest? webhook;
            try
            {
                webhook = JsonSerializer.Deserialize(buffer.AsSpan(0, length), MentraJsonContext.Default.WebhookRequest);
            }
            catch (JsonException e)
            {
                await RejectAsync(context, StatusCodes.Status400BadRequest, "Invalid webhook: " + e.Message);
                return;
            }

            if (webhook is null)
            {
                await RejectAsync(context, StatusCodes.Status400BadRequest, "Invalid webhook: the body is null; a webhook is a JSON object");
                return;
            }

            ArrayPool<byte>.Shared.Return(buffer!);
            buffer = null;
            await DispatchAsync(context, webhook);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public async Task HealthAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("status"u8, "healthy"u8);
            writer.WriteString("app"u8, _packageName);
            writer.WriteNumber("activeSessions"u8, sessions.Count);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private async Task DispatchAsync(HttpContext context, WebhookRequest webhook)
    {
        string type = webhook.Type.Value;
        using Activity? activity = MentraTelemetry.ActivitySource.StartActivity("mentra.webhook", ActivityKind.Server);
        activity?.SetTag("webhook.type", type);
        Log.Received(logger, type);

        string? untrusted = CheckWebSocketUrls(webhook);
        if (untrusted is not null)
        {
            Log.UntrustedWebSocketUrl(logger, type, untrusted);
            Finish(activity, type, "rejected");
            await WriteAsync(context, StatusCodes.Status400BadRequest, WebhookResponse.Error("Untrusted WebSocket URL: " + untrusted));
            return;
        }

        long started = Stopwatch.GetTimestamp();
        WebhookResponse response;
        try
        {
            response = await dispatcher.DispatchAsync(webhook, context.RequestServices, context.RequestAborted);
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
            await WriteAsync(context, StatusCodes.Status500InternalServerError, WebhookResponse.Error(HandlerFailedMessage));
            return;
        }
        finally
        {
            if (webhook is StopWebhookRequest stop && sessions.Stop(stop.SessionId))
            {
                Log.SessionStopped(logger, sessions.Count);
            }
        }

        if (!response.IsSuccess)
        {
            Log.HandlerRefused(logger, type, response.Message);
            Finish(activity, type, "error", started);
            int status = WebhookDispatch.IsSendersMistake(response) ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity;
            await WriteAsync(context, status, response);
            return;
        }

        TrackSession(webhook);
        Finish(activity, type, "success", started);
        await WriteAsync(context, StatusCodes.Status200OK, response);
    }

    /// <summary>Every WebSocket URL a request carries must pass, not only the one it resolves to: a handler may read any.</summary>
    private string? CheckWebSocketUrls(WebhookRequest webhook)
    {
        string?[] urls = webhook switch
        {
            SessionWebhookRequest session => [session.WebsocketUrl, session.MentraOSWebsocketUrl, session.AugmentOSWebsocketUrl],
            SessionRecoveryWebhookRequest recovery => [recovery.MentraOSWebsocketUrl],
            _ => [],
        };
        foreach (string? url in urls)
        {
            if (!string.IsNullOrEmpty(url) && urlPolicy.Check(url) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private void TrackSession(WebhookRequest webhook)
    {
        (string? sessionId, string? userId, string? url) = webhook switch
        {
            SessionWebhookRequest session => (session.SessionId, session.UserId, session.ResolvedWebSocketUrl),
            SessionRecoveryWebhookRequest recovery => (recovery.SessionId, recovery.UserId, recovery.ResolvedWebSocketUrl),
            _ => (null, null, null),
        };
        if (sessionId is null)
        {
            return;
        }

        if (sessions.Start(sessionId, userId!, url))
        {
            Log.SessionReplaced(logger, sessions.Count);
        }
        else
        {
            Log.SessionStarted(logger, sessions.Count);
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

    private async Task RejectAsync(HttpContext context, int status, string message)
    {
        Log.Rejected(logger, status, message);
        metrics.Received("(unread)", "rejected");
        await WriteAsync(context, status, WebhookResponse.Error(message));
    }

    private static Task WriteAsync(HttpContext context, int status, WebhookResponse response)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(response, ResponseJson.WebhookResponse, "application/json; charset=utf-8", context.RequestAborted);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes into a pooled buffer; a length of -1 means the body is larger.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit)
                {
                    return (buffer, -1);
                }

                byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            int read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return (buffer, length > limit ? -1 : length);
            }

            length += read;
            if (length > limit)
            {
                return (buffer, -1);
            }
        }
    }
}
