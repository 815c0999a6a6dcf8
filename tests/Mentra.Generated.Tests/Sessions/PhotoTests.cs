using System;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>
/// Photos: the request over the socket, the glasses' upload to <c>/photo-upload</c> over HTTP (played by the emulator),
/// the glasses' errors, and whatever else reaches the upload endpoint.
/// </summary>
public sealed class PhotoTests
{
    private const string NotWaited = "No pending request found for this photo (may have timed out or session ended)";

    [Fact]
    public async Task A_photo_taken_is_the_one_the_glasses_upload_for_that_request()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        Photo photo = await app.TakePhotoAsync(PhotoSize.Small);

        PhotoRequest request = Assert.Single(session.Received.OfType<PhotoRequest>());
        Assert.Equal(request.RequestId, photo.RequestId);
        Assert.Matches("^photo_req_[0-9]+_[0-9a-f]{24}$", photo.RequestId);
        Assert.Equal(PhotoSize.Small, request.Size);
        Assert.Equal(DefaultGlasses.Photo, photo.Data.ToArray());
        Assert.Equal("image/png", photo.MimeType);
        Assert.Equal("photo.png", photo.FileName);
        await SessionHarness.Eventually(() => harness.Cloud.PhotoUploads.Count > 0, "the upload was answered"); // the photo is handed over before the answer
        WebhookResult upload = Assert.Single(harness.Cloud.PhotoUploads);
        Assert.Equal(200, upload.Status);
        Assert.Equal($"{{\"success\":true,\"requestId\":\"{photo.RequestId}\",\"message\":\"Photo received successfully\"}}", upload.Body);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_glasses_error_fails_the_photo_with_its_code_whether_uploaded_or_sent_over_the_socket(bool overSocket)
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: url => Emulator(url, photoError: "CAMERA_BUSY", errorOverSocket: overSocket));
        await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        var error = await Assert.ThrowsAsync<PhotoException>(() => app.TakePhotoAsync(timeout: TimeSpan.FromSeconds(10)));

        Assert.Equal("CAMERA_BUSY", error.Code);
        Assert.Equal($"The photo '{error.RequestId}' failed: CAMERA_BUSY (The emulated camera reports CAMERA_BUSY).", error.Message);
        if (!overSocket)
        {
            await SessionHarness.Eventually(() => harness.Cloud.PhotoUploads.Count > 0, "the upload was answered");
            WebhookResult upload = Assert.Single(harness.Cloud.PhotoUploads);
            Assert.Equal((200, $"{{\"success\":true,\"requestId\":\"{error.RequestId}\",\"message\":\"Photo error received successfully\"}}"), (upload.Status, upload.Body));
        }
    }

    [Fact]
    public async Task No_upload_in_time_is_a_timeout_and_a_late_upload_is_refused()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync(emulator: url => Emulator(url, upload: false));
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => app.TakePhotoAsync(timeout: TimeSpan.FromMilliseconds(200)));

        string id = (await session.WaitForAsync<PhotoRequest>()).RequestId!;
        Assert.Equal($"No photo upload for request '{id}' within 0.2 s.", timeout.Message);
        (int status, string error) = await PostAsync(harness, Upload(id, DefaultGlasses.Photo, "image/png"));
        Assert.Equal((404, NotWaited), (status, error));
    }

    [Fact]
    public async Task Uploads_that_are_not_a_waited_for_photo_get_a_clear_4xx_and_the_photo_still_arrives_after_them()
    {
        (SessionHarness harness, _, Task<Photo> taking, string id) = await WaitForPhotoAsync();
        await using SessionHarness owned = harness;

        var json = new StringContent("{\"requestId\":\"" + id + "\"}", Encoding.UTF8, "application/json");
        Assert.Equal((415, "Expected multipart/form-data with a photo and its requestId"), await PostAsync(harness, json));
        var noId = new MultipartFormDataContent { { Image(DefaultGlasses.Photo, "image/png"), "photo", "photo.png" } };
        Assert.Equal((400, "No requestId provided"), await PostAsync(harness, noId));
        Assert.Equal((404, NotWaited), await PostAsync(harness, Upload("photo_req_1_000000000000000000000000", DefaultGlasses.Photo, "image/png")));
        Assert.Equal((400, "No photo file provided"), await PostAsync(harness, new MultipartFormDataContent { { new StringContent(id), "requestId" } }));
        Assert.Equal((400, "The photo must be an image (image/*), not text/plain"), await PostAsync(harness, Upload(id, "not a photo"u8.ToArray(), "text/plain")));
        Assert.Equal((413, "The photo is larger than 10 MB"), await PostAsync(harness, Upload(id, new byte[(10 * 1024 * 1024) + 1], "image/jpeg")));
        var broken = new ByteArrayContent("--b\r\nContent-Disposition: form-data; name=\"requestId\"\r\n\r\nx"u8.ToArray());
        broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        (int brokenStatus, string brokenError) = await PostAsync(harness, broken);
        Assert.Equal(400, brokenStatus);
        Assert.StartsWith("The form is not valid multipart/form-data: ", brokenError, StringComparison.Ordinal);
        Assert.False(taking.IsCompleted);

        Assert.Equal(200, (await PostAsync(harness, Upload(id, DefaultGlasses.Photo, "image/png"))).Status);
        Photo photo = await taking;
        Assert.Equal(DefaultGlasses.Photo, photo.Data.ToArray());
    }

    [Fact]
    public async Task A_photo_waited_for_when_the_session_ends_fails_with_the_end()
    {
        (SessionHarness harness, EmulatedSession session, Task<Photo> taking, string id) = await WaitForPhotoAsync();
        await using SessionHarness owned = harness;

        await session.StopAsync();

        await Assert.ThrowsAsync<AppSessionEndedException>(() => taking);
        Assert.Equal((404, NotWaited), await PostAsync(harness, Upload(id, DefaultGlasses.Photo, "image/png")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_forged_upload_is_refused_before_its_photo_is_read(bool idInQuery)
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        const string forged = "photo_req_1_000000000000000000000000";
        const int photoBytes = 8 * 1024 * 1024;
        string head = "--b\r\n"
            + (idInQuery ? string.Empty : "Content-Disposition: form-data; name=\"requestId\"\r\n\r\n" + forged + "\r\n--b\r\n")
            + "Content-Disposition: form-data; name=\"photo\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n";
        const string tail = "\r\n--b--\r\n";
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(harness.Host.Address.Host, harness.Host.Address.Port);
        System.Net.Sockets.NetworkStream stream = client.GetStream();
        string target = "/photo-upload" + (idInQuery ? "?requestId=" + forged : string.Empty);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            $"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: {head.Length + photoBytes + tail.Length}\r\n\r\n{head}"));

        // One megabyte of the eight, then nothing: an endpoint that reads the whole form first never answers.
        await stream.WriteAsync(new byte[1024 * 1024]);
        string response = await Hosting.WebhookAbuseTests.ReadResponseAsync(stream, TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 404", response, StringComparison.Ordinal);
        Assert.Contains(NotWaited, response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_photo_before_its_request_id_is_still_taken()
    {
        (SessionHarness harness, _, Task<Photo> taking, string id) = await WaitForPhotoAsync();
        await using SessionHarness owned = harness;

        var photoFirst = new MultipartFormDataContent { { Image(DefaultGlasses.Photo, "image/png"), "photo", "photo.png" }, { new StringContent(id), "requestId" } };

        Assert.Equal((200, string.Empty), await PostAsync(harness, photoFirst));
        Assert.Equal(DefaultGlasses.Photo, (await taking).Data.ToArray());
    }

    /// <summary>Alice's session, with glasses that never upload, waiting for a photo: the wait and its request id.</summary>
    private static async Task<(SessionHarness Harness, EmulatedSession Session, Task<Photo> Taking, string RequestId)> WaitForPhotoAsync()
    {
        SessionHarness harness = await SessionHarness.StartAsync(emulator: url => Emulator(url, upload: false));
        try
        {
            EmulatedSession session = await harness.StartAliceAsync();
            Task<Photo> taking = Assert.Single(harness.Probe.Sessions).TakePhotoAsync(timeout: TimeSpan.FromSeconds(20));
            return (harness, session, taking, (await session.WaitForAsync<PhotoRequest>()).RequestId!);
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    private static EmulatorOptions Emulator(Uri app, string? photoError = null, bool errorOverSocket = false, bool upload = true) =>
        new() { AppUrl = app, PackageName = "org.example.tests", ApiKey = SessionHarness.ApiKey, PhotoError = photoError, PhotoErrorOverSocket = errorOverSocket, UploadPhotos = upload };

    private static MultipartFormDataContent Upload(string requestId, byte[] photo, string mimeType) =>
        new() { { new StringContent(requestId), "requestId" }, { Image(photo, mimeType), "photo", "photo.bin" } };

    private static ByteArrayContent Image(byte[] bytes, string mimeType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mimeType);
        return content;
    }

    /// <summary>Posts to the app's <c>/photo-upload</c>; returns the status and the answer's <c>error</c> (empty on success).</summary>
    private static async Task<(int Status, string Error)> PostAsync(SessionHarness harness, HttpContent content)
    {
        using var http = new HttpClient { BaseAddress = harness.Host.Address };
        using HttpResponseMessage response = await http.PostAsync("/photo-upload", content);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return ((int)response.StatusCode, body.RootElement.TryGetProperty("error", out JsonElement error) ? error.GetString()! : string.Empty);
    }
}
