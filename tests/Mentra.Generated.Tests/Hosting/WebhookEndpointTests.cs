using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using static Mentra.Generated.Tests.Contracts.PayloadTests;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>Every row of the README's table, against a real Kestrel server on loopback.</summary>
public sealed class WebhookEndpointTests
{
    private static Task<KestrelHost> Start(Action<MentraOptions>? configure = null, string environment = "Production") =>
        KestrelHost.StartHostingAppAsync(configure, environment);


    /// <summary>Asserts the status, that the body is a JSON WebhookResponse, and returns it.</summary>
    private static async Task<WebhookResponse> Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize(body, MentraJsonContext.Default.WebhookResponse)!;
    }

    /// <summary>A raw connection to the server, for requests an HTTP client would not send.</summary>
    private static async Task<TcpClient> Connect(KestrelHost host)
    {
        var socket = new TcpClient();
        await socket.ConnectAsync(host.Address.Host, host.Address.Port);
        return socket;
    }

    /// <summary>What the server sends back first, within 10 seconds.</summary>
    private static async Task<string> ReadAnswer(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        byte[] buffer = new byte[4096];
        return Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer, timeout.Token));
    }

    private static string Session(string userId = "alice@example.com", string url = "wss://cloud.mentra.glass/app-ws", string sessionId = "alice@example.com-org.example.tests") =>
        $$"""{"type":"session_request","sessionId":"{{sessionId}}","userId":"{{userId}}","timestamp":"2026-06-27T21:54:26.123Z","mentraOSWebsocketUrl":"{{url}}"}""";

    [Theory]
    [InlineData("docs/session_request.json", "session session-123456")]
    [InlineData("wire/session_request.json", "session alice@example.com-org.example.myapp")]
    [InlineData("docs/stop_request.json", "stop session-123456 user_disabled")]
    [InlineData("docs/server_registration.json", "registration reg-78901234")]
    [InlineData("docs/server_heartbeat.json", "heartbeat reg-78901234")]
    public async Task Valid_webhook_answers_success(string payload, string call)
    {
        await using KestrelHost host = await Start();

        WebhookResponse response = await Expect(await host.PostAsync(Payload(payload)), HttpStatusCode.OK);

        Assert.Equal(WebhookResponse.Success, response);
        Assert.Equal([call], host.Probe.Calls);
    }

    /// <summary>A documented example of each of the five types, with one property replaced.</summary>
    private static string Example(string type, string property, string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Payload($"docs/{type}.json"))!.AsObject();
        if (json.Length == 0)
        {
            node.Remove(property);
        }
        else
        {
            node[property] = System.Text.Json.Nodes.JsonNode.Parse(json);
        }

        return node.ToJsonString();
    }

    public static TheoryData<string> Types => ["session_request", "stop_request", "server_registration", "server_heartbeat", "session_recovery"];

    [Theory]
    [MemberData(nameof(Types))]
    public async Task Every_type_handler_error_is_422_and_exception_is_500(string type)
    {
        await using KestrelHost host = await Start();

        WebhookResponse refused = await Expect(await host.PostAsync(Example(type, "sessionId", "\"refuse\"")), (HttpStatusCode)422);
        WebhookResponse failed = await Expect(await host.PostAsync(Example(type, "sessionId", "\"throw\"")), HttpStatusCode.InternalServerError);

        Assert.Equal(WebhookResponse.Error("Failed to create session: Invalid configuration"), refused);
        Assert.Equal(WebhookResponse.Error("The app failed to handle the webhook"), failed);
        Assert.Equal(2, host.Probe.Calls.Count);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task A_handler_that_blames_the_sender_is_answered_400_and_logged_as_a_rejection(string type)
    {
        await using KestrelHost host = await Start();

        WebhookResponse invalid = await Expect(await host.PostAsync(Example(type, "sessionId", "\"invalid\"")), HttpStatusCode.BadRequest);

        Assert.Equal(WebhookResponse.Error("The session id 'invalid' is not one this app issued"), invalid);
        Assert.Single(host.Probe.Calls);
        Assert.Contains(host.Logs.Entries, e => e.EventId == 2 && e.Message == "Rejected a webhook with 400: The session id 'invalid' is not one this app issued");
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task Every_type_missing_wrong_or_null_field_is_400_naming_it(string type)
    {
        await using KestrelHost host = await Start();

        WebhookResponse missing = await Expect(await host.PostAsync(Example(type, "sessionId", string.Empty)), HttpStatusCode.BadRequest);
        WebhookResponse wrong = await Expect(await host.PostAsync(Example(type, "userId", "42")), HttpStatusCode.BadRequest);
        WebhookResponse isNull = await Expect(await host.PostAsync(Example(type, "timestamp", "null")), HttpStatusCode.BadRequest);

        Assert.Equal($"Invalid webhook: The required property 'sessionId' is missing from the {type}.", missing.Message);
        Assert.Equal("Invalid webhook: The property 'userId' must be a string, but it is a number.", wrong.Message);
        Assert.Equal("Invalid webhook: The property 'timestamp' must not be null.", isNull.Message);
        Assert.Empty(host.Probe.Calls);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task Every_type_without_json_content_type_is_415_and_oversized_is_413(string type)
    {
        await using KestrelHost host = await Start(options => options.MaxRequestBodySize = 200);
        var plain = new StringContent(Payload($"docs/{type}.json"), Encoding.UTF8, "text/plain");

        await Expect(await host.Client.PostAsync("/webhook", plain), HttpStatusCode.UnsupportedMediaType);
        await Expect(await host.PostAsync(Example(type, "padding", "\"" + new string('x', 300) + "\"")), HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(host.Probe.Calls);
    }

    [Fact]
    public async Task Handler_own_response_is_sent()
    {
        await using KestrelHost host = await Start();

        WebhookResponse response = await Expect(await host.PostAsync(Payload("docs/session_recovery.json")), HttpStatusCode.OK);

        Assert.Equal(new WebhookResponse { Status = WebhookResponseStatus.Success, Message = "recovered" }, response);
        Assert.Equal(["recovery session-123456"], host.Probe.Calls);
    }

    [Fact]
    public async Task Handler_error_response_is_422_with_that_body()
    {
        await using KestrelHost host = await Start();

        WebhookResponse response = await Expect(await host.PostAsync(Session(sessionId: "refuse")), (HttpStatusCode)422);

        Assert.Equal(WebhookResponse.Error("Failed to create session: Invalid configuration"), response);
    }

    [Fact]
    public async Task Handler_exception_is_500_with_a_generic_message_and_is_logged()
    {
        await using KestrelHost host = await Start();

        HttpResponseMessage message = await host.PostAsync(Session(sessionId: "throw"));
        string raw = await message.Content.ReadAsStringAsync();
        WebhookResponse response = JsonSerializer.Deserialize(raw, MentraJsonContext.Default.WebhookResponse)!;

        Assert.Equal(HttpStatusCode.InternalServerError, message.StatusCode);
        Assert.Equal(WebhookResponse.Error("The app failed to handle the webhook"), response);
        Assert.DoesNotContain("hunter2", raw);
        Assert.DoesNotContain("InvalidOperationException", raw);
        var logged = Assert.Single(host.Logs.Entries, e => e.EventId == 4 && e.Category.StartsWith("Mentra.Generated", StringComparison.Ordinal)); // not routing's own event 4
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.IsType<InvalidOperationException>(logged.Exception);
    }

    [Theory]
    [InlineData("{\"type\":\"stop_request\",", "Invalid webhook: ")]
    [InlineData("<html>", "Invalid webhook: ")]
    [InlineData("[]", "Invalid webhook: A WebhookRequest must be a JSON object, but the JSON is an array.")]
    [InlineData("\"session_request\"", "Invalid webhook: A WebhookRequest must be a JSON object, but the JSON is a string.")]
    [InlineData("null", "Invalid webhook: the body is null; a webhook is a JSON object")]
    [InlineData("", "The body is empty; a webhook is a JSON object")]
    public async Task Malformed_empty_or_non_object_json_is_400(string body, string message)
    {
        await using KestrelHost host = await Start();

        WebhookResponse response = await Expect(await host.PostAsync(body), HttpStatusCode.BadRequest);

        Assert.Equal(WebhookResponseStatus.Error, response.Status);
        Assert.StartsWith(message, response.Message);
        Assert.Empty(host.Probe.Calls);
    }

    [Theory]
    [InlineData("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":"x"} {}""")]
    [InlineData("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":"x"} trailing""")]
    [InlineData("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":"x",}""")]
    [InlineData("""{"type":"stop_request", /* a comment */ "sessionId":"s","userId":"u","timestamp":"t","reason":"x"}""")]
    [InlineData("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":7}""")]
    [InlineData("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":"x","extra":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}""")]
    public async Task A_body_that_is_not_one_webhook_object_gets_exactly_JsonSerializers_message(string body)
    {
        await using KestrelHost host = await Start();
        JsonException expected = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(body, MentraJsonContext.Default.WebhookRequest));

        WebhookResponse response = await Expect(await host.PostAsync(body), HttpStatusCode.BadRequest);

        Assert.Equal("Invalid webhook: " + expected.Message, response.Message);
        Assert.Empty(host.Probe.Calls);
    }

    [Fact]
    public async Task White_space_around_the_object_is_allowed()
    {
        await using KestrelHost host = await Start();

        Assert.Equal(WebhookResponse.Success, await Expect(await host.PostAsync(" \r\n\t" + Payload("docs/stop_request.json") + "\n\n  "), HttpStatusCode.OK));
    }

    [Fact]
    public async Task Invalid_utf8_is_400()
    {
        await using KestrelHost host = await Start();
        byte[] body = [.. "{\"type\":\"stop_request\",\"sessionId\":\"s"u8, 0xFF, .. "\",\"userId\":\"u\",\"timestamp\":\"t\",\"reason\":\"error\"}"u8];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        WebhookResponse response = await Expect(await host.Client.PostAsync("/webhook", content), HttpStatusCode.BadRequest);

        Assert.StartsWith("Invalid webhook: ", response.Message);
        Assert.Empty(host.Probe.Calls);
    }

    [Theory]
    [InlineData("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t"}""", "Invalid webhook: The required property 'reason' is missing from the stop_request.")]
    [InlineData("""{"type":"stop_request","sessionId":7,"userId":"u","timestamp":"t","reason":"error"}""", "Invalid webhook: The property 'sessionId' must be a string, but it is a number.")]
    [InlineData("""{"type":"server_heartbeat","sessionId":"s","userId":null,"timestamp":"t","registrationId":"r"}""", "Invalid webhook: The property 'userId' must not be null.")]
    public async Task Missing_wrong_or_null_field_is_400_naming_it(string body, string message)
    {
        await using KestrelHost host = await Start();

        WebhookResponse response = await Expect(await host.PostAsync(body), HttpStatusCode.BadRequest);

        Assert.Equal(WebhookResponse.Error(message), response);
    }

    [Fact]
    public async Task A_type_of_the_apps_own_schema_is_answered_like_the_sdks_types()
    {
        await using KestrelHost host = await Start();
        const string Saved = """{"type":"note_saved","sessionId":"s","userId":"u","timestamp":"t","text":"milk","priority":"low"}""";

        await Expect(await host.PostAsync(Saved), HttpStatusCode.OK);
        WebhookResponse refused = await Expect(await host.PostAsync(Saved.Replace("\"s\"", "\"refuse\"")), (HttpStatusCode)422);
        WebhookResponse misfit = await Expect(await host.PostAsync(Saved.Replace("\"text\":\"milk\",", string.Empty)), HttpStatusCode.BadRequest);
        WebhookResponse failed = await Expect(await host.PostAsync(Saved.Replace("\"s\"", "\"throw\"")), HttpStatusCode.InternalServerError);

        Assert.Equal(WebhookResponse.Error("Failed to create session: Invalid configuration"), refused);
        Assert.Equal(WebhookResponse.Error("Invalid note_saved webhook: The required property 'text' is missing from the note_saved."), misfit);
        Assert.Equal(WebhookResponse.Error("The app failed to handle the webhook"), failed);
        Assert.Equal(["saved milk", "saved milk", "saved milk"], host.Probe.Calls);
    }

    [Fact]
    public async Task Unknown_type_without_a_fallback_handler_is_400()
    {
        await using KestrelHost host = await Start();

        WebhookResponse response = await Expect(await host.PostAsync("""{"type":"tool_call","sessionId":"s","userId":"u","timestamp":"t"}"""), HttpStatusCode.BadRequest);

        Assert.Equal(WebhookResponse.Error("Unknown webhook type: tool_call"), response);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Missing_or_non_json_content_type_is_415(string? contentType)
    {
        await using KestrelHost host = await Start();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Payload("docs/stop_request.json")));
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        WebhookResponse response = await Expect(await host.Client.PostAsync("/webhook", content), HttpStatusCode.UnsupportedMediaType);

        Assert.Equal(WebhookResponse.Error("The Content-Type must be application/json"), response);
        Assert.Empty(host.Probe.Calls);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json")]
    [InlineData("application/webhook+json")]
    public async Task Json_content_types_are_accepted(string contentType)
    {
        await using KestrelHost host = await Start();
        var content = new StringContent(Payload("docs/stop_request.json"));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        await Expect(await host.Client.PostAsync("/webhook", content), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Body_over_the_limit_with_a_content_length_is_413()
    {
        await using KestrelHost host = await Start();
        string big = Payload("docs/stop_request.json").Replace("\"reason\"", "\"padding\":\"" + new string('x', 70 * 1024) + "\",\"reason\"");

        WebhookResponse response = await Expect(await host.PostAsync(big), HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(WebhookResponse.Error("The body is larger than 65536 bytes"), response);
        Assert.Empty(host.Probe.Calls);
    }

    [Fact]
    public async Task Chunked_body_over_the_configured_limit_is_413()
    {
        await using KestrelHost host = await Start(options => options.MaxRequestBodySize = 1024);
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(Session(sessionId: new string('s', 2000)))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        WebhookResponse response = await Expect(await host.Client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(WebhookResponse.Error("The body is larger than 1024 bytes"), response);
    }

    [Fact]
    public async Task Oversized_body_is_answered_before_the_rest_is_sent()
    {
        await using KestrelHost host = await Start();
        using TcpClient socket = await Connect(host);
        NetworkStream stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{70 * 1024:X}\r\n{new string(' ', 70 * 1024)}\r\n"));

        // The sender never finishes its body: the answer must come anyway.
        Assert.StartsWith("HTTP/1.1 413", await ReadAnswer(stream));
    }

    [Fact]
    public async Task A_body_sent_in_pieces_is_read_whole()
    {
        await using KestrelHost host = await Start();
        using TcpClient socket = await Connect(host);
        NetworkStream stream = socket.GetStream();
        byte[] body = Encoding.UTF8.GetBytes(Session(userId: "pieces@example.com"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
        foreach (byte[] piece in new[] { body[..10], body[10..60], body[60..] })
        {
            await stream.WriteAsync(piece);
            await stream.FlushAsync();
            await Task.Delay(50); // each piece arrives on its own
        }

        string answer = await ReadAnswer(stream);

        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains("Content-Length: 20\r\n", answer);
        Assert.EndsWith("\r\n\r\n{\"status\":\"success\"}", answer);
        Assert.Equal("session alice@example.com-org.example.tests", Assert.Single(host.Probe.Calls));
    }

    [Fact]
    public async Task A_body_larger_than_one_buffer_segment_is_read_whole()
    {
        await using KestrelHost host = await Start();
        string padding = new string('p', 20 * 1024); // the server's buffers are 4 KiB: the body spans several
        string big = Session(userId: "big@example.com").Replace("\"type\"", "\"padding\":\"" + padding + "\",\"type\"");

        WebhookResponse response = await Expect(await host.PostAsync(big), HttpStatusCode.OK);

        Assert.Equal(WebhookResponse.Success, response);
        Assert.Equal("session alice@example.com-org.example.tests", Assert.Single(host.Probe.Calls));
    }

    [Fact]
    public async Task Answers_carry_their_length_instead_of_a_chunked_body()
    {
        await using KestrelHost host = await Start();

        HttpResponseMessage success = await host.PostAsync(Payload("docs/stop_request.json"));
        HttpResponseMessage error = await host.PostAsync("{");
        HttpResponseMessage health = await host.Client.GetAsync("/health");

        foreach (HttpResponseMessage response in new[] { success, error, health })
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        }
    }

    [Fact]
    public async Task Client_disconnecting_mid_handler_cancels_the_handler_token()
    {
        await using KestrelHost host = await Start();
        HostingProbe probe = host.Probe;
        using var abort = new CancellationTokenSource();

        Task<HttpResponseMessage> request = host.Client.PostAsync("/webhook", new StringContent(Session(userId: "slow"), Encoding.UTF8, "application/json"), abort.Token);
        await probe.HandlerStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await abort.CancelAsync();

        Assert.True(await probe.HandlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
    }

    [Fact]
    public async Task Webhook_path_is_configurable()
    {
        await using KestrelHost host = await Start(options => options.WebhookPath = "/mentra/hooks");

        await Expect(await host.PostAsync(Payload("docs/stop_request.json"), "/mentra/hooks"), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostAsync(Payload("docs/stop_request.json"))).StatusCode);
    }

    [Fact]
    public async Task Every_answer_is_json_never_html()
    {
        await using KestrelHost host = await Start();
        string[] bodies = ["{", "", "[1]", Session(sessionId: "throw"), Session(sessionId: "refuse"), """{"type":"x","sessionId":"s","userId":"u","timestamp":"t"}"""];

        foreach (string body in bodies)
        {
            HttpResponseMessage response = await host.PostAsync(body);
            string text = await response.Content.ReadAsStringAsync();
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("<", text);
            Assert.DoesNotContain("   at ", text);
            Assert.DoesNotContain("Exception", text);
            Assert.NotNull(JsonSerializer.Deserialize(text, MentraJsonContext.Default.WebhookResponse));
        }
    }
}
