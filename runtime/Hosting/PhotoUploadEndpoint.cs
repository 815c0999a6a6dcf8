using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using Mentra.Generated.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using System.Threading;

namespace Mentra.Generated;

/// <summary>
/// <c>POST /photo-upload</c>: where the glasses upload a photo the app asked for with
/// <see cref="AppSession.TakePhotoAsync"/> (<c>multipart/form-data</c>: the file <c>photo</c>, an image of at most
/// 10 MB, and <c>requestId</c>; or an error report: <c>type=photo_error</c> or <c>success=false</c>, with
/// <c>errorCode</c> and <c>errorMessage</c>). Answers as the TypeScript SDK does. Only a request this server waits for is
/// accepted; anything else is a 4xx with the reason, never a 500.
/// </summary>
internal sealed class PhotoUploadEndpoint(AppSessionManager sessions, HostLogLimits logLimits, ILoggerFactory loggers)
{
    /// <summary>The largest photo accepted (the TypeScript SDK's limit).</summary>
    internal const int MaxPhotoBytes = 10 * 1024 * 1024;

    private readonly ILogger _logger = loggers.CreateLogger("Mentra.Generated.Photos");

    /// <summary>
    /// The most photo bytes held at once, across the server, for uploads whose photo comes before their request id (the id
    /// cannot be checked until it comes). An upload that names its id first is checked before its photo is read at all.
    /// </summary>
    internal const long MaxUncheckedBytes = 32 * 1024 * 1024;

    private long _unchecked;

    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!request.HasFormContentType || Boundary(request) is not { } boundary)
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

        PhotoUploads photos = sessions.SessionOptions.Photos;
        var upload = new Upload { RequestId = Text(request.Query["requestId"]) };
        try
        {
            if (await ReadAsync(context, boundary, photos, upload).ConfigureAwait(false) is { } refused)
            {
                Answer(context, refused.Status, error: refused.Error);
                await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false); // before the server's own answer
                return;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return; // the uploader went away
        }
        catch (BadHttpRequestException e)
        {
            (int status, string error) = e.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => (StatusCodes.Status413PayloadTooLarge, "The photo is larger than 10 MB"),
                StatusCodes.Status408RequestTimeout => (StatusCodes.Status408RequestTimeout, "The upload did not arrive in time"),
                _ => (StatusCodes.Status400BadRequest, "The form is not valid multipart/form-data: " + e.Message),
            };
            Answer(context, status, error: error);
            await context.Response.BodyWriter.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // Malformed parts, a part over the form's limits, or a body that ends before its closing boundary.
            Answer(context, StatusCodes.Status400BadRequest, error: "The form is not valid multipart/form-data: " + e.Message);
            return;
        }
        finally
        {
            if (upload.Unchecked > 0)
            {
                Interlocked.Add(ref _unchecked, -upload.Unchecked);
            }
        }

        await DeliverAsync(context, upload).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes the request an upload, read whole, answers: here when this replica waits for it, else through the
    /// coordinator at the replica that does (a call forwarded here is never forwarded again).
    /// </summary>
    internal async Task DeliverAsync(HttpContext context, Upload upload)
    {
        PhotoUploads photos = sessions.SessionOptions.Photos;
        string? requestId = upload.RequestId;
        if (requestId is null)
        {
            Answer(context, StatusCodes.Status400BadRequest, error: "No requestId provided");
            return;
        }

        if (!photos.IsWaitedFor(requestId))
        {
            if (sessions.Coordinator.Distributed && !Coordination.CoordinatedReplica.IsForwarded(context)
                && await sessions.Coordinator.ForwardAsync(Forwarded(upload), context.RequestAborted).ConfigureAwait(false) is { } answer)
            {
                Log.Forwarded(_logger, "photo upload", answer.Status);
                WebhookEndpoint.Write(context, answer.Status, answer.Body);
                return;
            }

            if (Log.Limited(_logger, logLimits, HostWarning.PhotoNotWaitedFor))
            {
                Log.PhotoNotWaitedFor(_logger, requestId);
            }

            Answer(context, StatusCodes.Status404NotFound, error: NotWaitedFor);
            return;
        }

        if (upload.Type == "photo_error" || upload.Success == "false")
        {
            photos.Fail(new PhotoException(requestId, upload.ErrorCode, upload.ErrorMessage));
            Answer(context, StatusCodes.Status200OK, requestId: requestId, message: "Photo error received successfully");
            return;
        }

        if (upload.Photo is not { Length: > 0 } data)
        {
            Answer(context, StatusCodes.Status400BadRequest, error: "No photo file provided");
            return;
        }

        if (upload.MimeType is not { } mimeType || !mimeType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            Answer(context, StatusCodes.Status400BadRequest, error: "The photo must be an image (image/*), not " + (upload.MimeType ?? "a file without a type"));
            return;
        }

        // Completed only now, whole: the request may have timed out meanwhile, and then the upload is answered as unknown.
        if (!photos.Complete(new Photo(requestId, data, mimeType, upload.FileName ?? string.Empty)))
        {
            Answer(context, StatusCodes.Status404NotFound, error: NotWaitedFor);
            return;
        }

        Answer(context, StatusCodes.Status200OK, requestId: requestId, message: "Photo received successfully");
    }

    /// <summary>An upload as a call to the replica that waits for it: the photo's bytes, and its fields beside them.</summary>
    private static Coordination.ForwardedCall Forwarded(Upload upload)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        Add("type", upload.Type);
        Add("success", upload.Success);
        Add("errorCode", upload.ErrorCode);
        Add("errorMessage", upload.ErrorMessage);
        Add("mimeType", upload.MimeType);
        Add("fileName", upload.FileName);
        return new Coordination.ForwardedCall(Coordination.ForwardedKind.Photo, upload.RequestId!, upload.Photo ?? [], fields);

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                fields[name] = value;
            }
        }
    }

    /// <summary>The upload another replica read and forwarded here.</summary>
    internal static Upload FromForwarded(Coordination.ForwardedCall call)
    {
        return new Upload
        {
            RequestId = call.Key,
            Type = Field("type"),
            Success = Field("success"),
            ErrorCode = Field("errorCode"),
            ErrorMessage = Field("errorMessage"),
            MimeType = Field("mimeType"),
            FileName = Field("fileName"),
            Photo = call.Body.Length > 0 ? call.Body : null,
        };

        string? Field(string name) => call.Fields.TryGetValue(name, out string? value) ? value : null;
    }

    private const string NotWaitedFor = "No pending request found for this photo (may have timed out or session ended)";

    /// <summary>What an upload said: its fields, and its photo once read.</summary>
    internal sealed class Upload
    {
        public string? RequestId;
        public string? Type;
        public string? Success;
        public string? ErrorCode;
        public string? ErrorMessage;
        public byte[]? Photo;
        public string? MimeType;
        public string? FileName;
        public bool FromPhotoField;

        /// <summary>Bytes of this upload's photo counted against <see cref="MaxUncheckedBytes"/>.</summary>
        public long Unchecked;
    }

    /// <summary>
    /// Reads the form part by part, straight from the request (no temporary file): text fields into
    /// <paramref name="upload"/>, and the photo only once its request id is known to be waited for. A photo that comes
    /// before any request id is read within the server's budget for such photos. Returns the refusal, if any.
    /// </summary>
    private async Task<(int Status, string Error)?> ReadAsync(HttpContext context, string boundary, PhotoUploads photos, Upload upload)
    {
        var reader = new MultipartReader(boundary, context.Request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024, BodyLengthLimit = MaxPhotoBytes + 1 };
        while (await reader.ReadNextSectionAsync(context.RequestAborted).ConfigureAwait(false) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out ContentDispositionHeaderValue? disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                continue; // not a form field: skipped (the next read drains it)
            }

            string name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
            if (disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
            {
                if (upload.Photo is not null && (upload.FromPhotoField || name != "photo"))
                {
                    continue; // one photo: the file named photo, else the first file
                }

                upload.FromPhotoField = name == "photo";

                bool checkedFirst = upload.RequestId is not null;
                if (checkedFirst && !await IsWaitedForAsync(photos, upload.RequestId!).ConfigureAwait(false))
                {
                    if (Log.Limited(_logger, logLimits, HostWarning.PhotoNotWaitedFor))
                    {
                        Log.PhotoNotWaitedFor(_logger, upload.RequestId!);
                    }

                    return (StatusCodes.Status404NotFound, NotWaitedFor); // refused before a byte of the photo is read
                }

                upload.MimeType = section.ContentType;
                upload.FileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                if (await ReadPhotoAsync(section.Body, upload, checkedFirst, context.RequestAborted).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }

                continue;
            }

            string? value = await ReadFieldAsync(section.Body, context.RequestAborted).ConfigureAwait(false);
            switch (name)
            {
                case "requestId":
                    upload.RequestId ??= string.IsNullOrEmpty(value) ? null : value;
                    break;
                case "type":
                    upload.Type = value;
                    break;
                case "success":
                    upload.Success = value;
                    break;
                case "errorCode":
                    upload.ErrorCode = value;
                    break;
                case "errorMessage":
                    upload.ErrorMessage = value;
                    break;
            }
        }

        return null;
    }

    /// <summary>Whether this replica, or another one of the app's, waits for the photo.</summary>
    private async ValueTask<bool> IsWaitedForAsync(PhotoUploads photos, string requestId) =>
        photos.IsWaitedFor(requestId) || (sessions.Coordinator.Distributed && await sessions.Coordinator.IsPhotoAwaitedElsewhereAsync(requestId).ConfigureAwait(false));

    /// <summary>The photo's bytes, at most 10 MB; one read before its request id was checked counts against the shared budget.</summary>
    private async Task<(int Status, string Error)?> ReadPhotoAsync(Stream body, Upload upload, bool checkedFirst, CancellationToken cancellationToken)
    {
        var data = new MemoryStream();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (data.Length + read > MaxPhotoBytes)
                {
                    return (StatusCodes.Status413PayloadTooLarge, "The photo is larger than 10 MB");
                }

                if (!checkedFirst)
                {
                    if (Interlocked.Add(ref _unchecked, read) > MaxUncheckedBytes)
                    {
                        Interlocked.Add(ref _unchecked, -read);
                        return (StatusCodes.Status503ServiceUnavailable, "Too many photos are arriving before their requestId; send the requestId field before the photo");
                    }

                    upload.Unchecked += read;
                }

                data.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        upload.Photo = data.ToArray();
        return null;
    }

    /// <summary>A text field's value, at most 4 KiB (the form's fields are short: ids, codes, a message).</summary>
    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        const int max = 4 * 1024;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(max + 1);
        try
        {
            int length = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(length, max + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (length > max)
                {
                    throw new InvalidDataException("A text field is longer than 4 KiB.");
                }
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The form's boundary, or null when the content type has none (or one longer than RFC 2046 allows).</summary>
    private static string? Boundary(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? type)
        && HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 and <= 70 } boundary
            ? boundary
            : null;

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
