using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated;

/// <summary>
/// What the cloud's other calls to the app server (<c>POST /settings</c>, <c>POST /tool</c>) share with the webhook: a
/// JSON body read whole up to a limit, and every mistake of the sender answered as <c>{"status":"error","message":..}</c>
/// with a 4xx that says what is wrong (the field, for JSON that does not fit), logged as a limited warning. Never a 500
/// for the sender's mistake.
/// </summary>
internal static class CloudCall
{
    /// <summary>Answers written with only the escaping JSON needs, as the webhook's are.</summary>
    internal static readonly Protocol.AppSessionJsonContext Json = new(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>
    /// The body of <paramref name="context"/> read as <typeparamref name="T"/>, or null once the sender's mistake has been
    /// answered (415 not JSON, 413 too large, 408 too slow, 400 empty or not a <paramref name="what"/>).
    /// </summary>
    public static async Task<T?> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, long limit, string what, ILogger logger, HostLogLimits limits)
        where T : class
    {
        HttpRequest request = context.Request;
        if (!request.HasJsonContentType())
        {
            Reject(context, StatusCodes.Status415UnsupportedMediaType, "The Content-Type must be application/json", logger, limits);
            return null;
        }

        if (request.ContentLength > limit)
        {
            Reject(context, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {limit} bytes", logger, limits);
            return null;
        }

        if (context.Features[typeof(IHttpMaxRequestBodySizeFeature)] is IHttpMaxRequestBodySizeFeature { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        try
        {
            using WebhookBody body = await WebhookBody.ReadAsync(request, limit, context.RequestAborted).ConfigureAwait(false);
            if (body.IsTooLarge)
            {
                Reject(context, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {limit} bytes", logger, limits);
                return null;
            }

            if (body.Span.IsEmpty)
            {
                Reject(context, StatusCodes.Status400BadRequest, $"The body is empty; {what} is a JSON object", logger, limits);
                return null;
            }

            try
            {
                if (JsonSerializer.Deserialize(body.Span, typeInfo) is { } value)
                {
                    return value;
                }

                Reject(context, StatusCodes.Status400BadRequest, $"Invalid {what}: the body is null; it is a JSON object", logger, limits);
            }
            catch (JsonException e)
            {
                Reject(context, StatusCodes.Status400BadRequest, $"Invalid {what}: {e.Message}", logger, limits);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // the sender went away while sending
        }
        catch (BadHttpRequestException e)
        {
            int status = e.StatusCode is StatusCodes.Status408RequestTimeout or StatusCodes.Status413PayloadTooLarge ? e.StatusCode : StatusCodes.Status400BadRequest;
            Reject(context, status, status == StatusCodes.Status413PayloadTooLarge ? $"The body is larger than {limit} bytes" : "The body could not be read: " + e.Message, logger, limits);
            if (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false); // before the server's own answer
            }
        }

        return null;
    }

    /// <summary>Answers the sender's mistake with <paramref name="status"/> and logs it as a limited warning.</summary>
    public static void Reject(HttpContext context, int status, string message, ILogger logger, HostLogLimits limits)
    {
        if (Log.Limited(logger, limits, HostWarning.CloudCallRejected))
        {
            Log.CloudCallRejected(logger, context.Request.Path.Value ?? string.Empty, status, message);
        }

        Error(context, status, message);
    }

    /// <summary>Answers <c>{"status":"error","message":..}</c> with <paramref name="status"/>.</summary>
    public static void Error(HttpContext context, int status, string message) =>
        WebhookEndpoint.Write(context, status, JsonSerializer.SerializeToUtf8Bytes(WebhookResponse.Error(message), WebhookEndpoint.ResponseJson.WebhookResponse));

    /// <summary>The lowercase hex SHA-256 of <paramref name="text"/> (UTF-8): how the cloud hashes the app's key, and what it derives from it.</summary>
    public static string Sha256Hex(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Answers <paramref name="value"/> with 200.</summary>
    public static void Ok<T>(HttpContext context, T value, JsonTypeInfo<T> typeInfo) =>
        WebhookEndpoint.Write(context, StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
}
