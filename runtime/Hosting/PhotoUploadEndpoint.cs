using System;
using System.Buffers;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using Mentra.Generated.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Mentra.Generated;

/// <summary>
/// <c>POST /photo-upload</c>: where the glasses upload a photo the app asked for with
/// <see cref="AppSession.TakePhotoAsync"/> (<c>multipart/form-data</c>: the file <c>photo</c>, an image of at most
/// 10 MB, and <c>requestId</c>; or an error report: <c>type=photo_error</c> or <c>success=false</c>, with
/// <c>errorCode</c> and <c>errorMessage</c>). Answers as the TypeScript SDK does. Only a request this server waits for is
/// accepted; anything else is a 4xx with the reason, never a 500.
/// </summary>
internal sealed class PhotoUploadEndpoint(AppSessionManager sessions, ILoggerFactory loggers)
{
    /// <summary>The largest photo accepted (the TypeScript SDK's limit).</summary>
    internal const int MaxPhotoBytes = 10 * 1024 * 1024;

    private readonly ILogger _logger = loggers.CreateLogger("Mentra.Generated.Photos");

    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!request.HasFormContentType)
        {
            Answer(context, StatusCodes.Status415UnsupportedMediaType, error: "Expected multipart/form-data with a photo and its requestId");
            return;
        }

        const long maxBody = MaxPhotoBytes + (64 * 1024);
        if (request.ContentLength > maxBody)
        {
            // Answered before reading: once the server has refused a body as too large, it sends its own empty answer.
            Answer(context, StatusCodes.Status413PayloadTooLarge, error: "The photo is larger than 10 MB");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxBody;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = maxBody }, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            Answer(context, StatusCodes.Status413PayloadTooLarge, error: "The photo is larger than 10 MB");
            return;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return; // the uploader went away
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            // Malformed parts, a part over the form's limits, or a body that ends before its closing boundary.
            Answer(context, StatusCodes.Status400BadRequest, error: "The form is not valid multipart/form-data: " + e.Message);
            return;
        }

        string? requestId = Text(form["requestId"]);
        if (requestId is null)
        {
            Answer(context, StatusCodes.Status400BadRequest, error: "No requestId provided");
            return;
        }

        PhotoUploads photos = sessions.SessionOptions.Photos;
        if (!photos.IsWaitedFor(requestId))
        {
            Log.PhotoNotWaitedFor(_logger, requestId);
            Answer(context, StatusCodes.Status404NotFound, error: "No pending request found for this photo (may have timed out or session ended)");
            return;
        }

        if (Text(form["type"]) == "photo_error" || Text(form["success"]) == "false")
        {
            photos.Fail(new PhotoException(requestId, Text(form["errorCode"]), Text(form["errorMessage"])));
            Answer(context, StatusCodes.Status200OK, requestId: requestId, message: "Photo error received successfully");
            return;
        }

        IFormFile? file = form.Files.GetFile("photo") ?? (form.Files.Count > 0 ? form.Files[0] : null);
        if (file is null || file.Length == 0)
        {
            Answer(context, StatusCodes.Status400BadRequest, error: "No photo file provided");
            return;
        }

        if (file.Length > MaxPhotoBytes)
        {
            Answer(context, StatusCodes.Status413PayloadTooLarge, error: "The photo is larger than 10 MB");
            return;
        }

        if (file.ContentType is not { } mimeType || !mimeType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            Answer(context, StatusCodes.Status400BadRequest, error: "The photo must be an image (image/*), not " + (file.ContentType ?? "a file without a type"));
            return;
        }

        byte[] data = new byte[file.Length];
        await using (Stream stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(data, context.RequestAborted).ConfigureAwait(false);
        }

        // Completed only now, whole: the request may have timed out meanwhile, and then the upload is answered as unknown.
        if (!photos.Complete(new Photo(requestId, data, mimeType, file.FileName)))
        {
            Answer(context, StatusCodes.Status404NotFound, error: "No pending request found for this photo (may have timed out or session ended)");
            return;
        }

        Answer(context, StatusCodes.Status200OK, requestId: requestId, message: "Photo received successfully");
    }

    private static string? Text(StringValues values) => values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    /// <summary>The TypeScript SDK's answers: <c>{"success":true,"requestId":..,"message":..}</c> or <c>{"success":false,"error":..}</c>.</summary>
    private static void Answer(HttpContext context, int status, string? error = null, string? requestId = null, string? message = null)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteBoolean("success", error is null);
            if (error is not null)
            {
                json.WriteString("error", error);
            }
            else
            {
                json.WriteString("requestId", requestId);
                json.WriteString("message", message);
            }

            json.WriteEndObject();
        }

        WebhookEndpoint.Write(context, status, body.WrittenSpan);
    }
}
