using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mentra.Generated.Tests.Generator;
using Xunit;

namespace Mentra.Generated.Tests.Contracts;

/// <summary>Every example in the documented contract and every real-wire payload reads into the right record and writes back.</summary>
public sealed class PayloadTests
{
    internal static string Payload(string name) =>
        File.ReadAllText(Path.Combine(SnapshotTests.ProjectDirectory(), "Payloads", name));

    internal static WebhookRequest Read(string json) =>
        JsonSerializer.Deserialize(json, MentraJsonContext.Default.WebhookRequest)!;

    internal static string Write(WebhookRequest request) =>
        JsonSerializer.Serialize(request, MentraJsonContext.Default.WebhookRequest);

    /// <summary>Asserts that two JSON texts are the same JSON: same properties, values and array order.</summary>
    internal static void AssertSameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected {expected}\nbut got {actual}");

    [Fact]
    public void Docs_session_request()
    {
        var request = Assert.IsType<SessionWebhookRequest>(Read(Payload("docs/session_request.json")));

        Assert.Equal(WebhookRequestType.SessionRequest, request.Type);
        Assert.Equal("session-123456", request.SessionId);
        Assert.Equal("user-789012", request.UserId);
        Assert.Equal("2023-04-01T12:30:45Z", request.Timestamp);
        Assert.Equal("wss://api.mentra.glass/app-ws/session-123456", request.MentraOSWebSocketUrl);
        Assert.Null(request.WebSocketUrl);
        Assert.Null(request.AugmentOSWebSocketUrl);
        Assert.Equal("wss://api.mentra.glass/app-ws/session-123456", request.ResolvedWebSocketUrl);
    }

    [Fact]
    public void Docs_stop_request()
    {
        var request = Assert.IsType<StopWebhookRequest>(Read(Payload("docs/stop_request.json")));

        Assert.Equal(WebhookRequestType.StopRequest, request.Type);
        Assert.Equal("session-123456", request.SessionId);
        Assert.Equal("user-789012", request.UserId);
        Assert.Equal("2023-04-01T13:45:30Z", request.Timestamp);
        Assert.Equal(StopReason.UserDisabled, request.Reason);
        Assert.True(request.Reason.IsKnown);
    }

    [Fact]
    public void Docs_server_registration()
    {
        var request = Assert.IsType<ServerRegistrationWebhookRequest>(Read(Payload("docs/server_registration.json")));

        Assert.Equal(WebhookRequestType.ServerRegistration, request.Type);
        Assert.Equal("registration-123456", request.SessionId);
        Assert.Equal("system", request.UserId);
        Assert.Equal("2023-04-01T10:00:00Z", request.Timestamp);
        Assert.Equal("reg-78901234", request.RegistrationId);
        Assert.Equal("org.company.myapp", request.PackageName);
        Assert.Equal(["https://myapp-app.example.com/webhook"], request.ServerUrls);
    }

    [Fact]
    public void Docs_session_recovery()
    {
        var request = Assert.IsType<SessionRecoveryWebhookRequest>(Read(Payload("docs/session_recovery.json")));

        Assert.Equal(WebhookRequestType.SessionRecovery, request.Type);
        Assert.Equal("session-123456", request.SessionId);
        Assert.Equal("user-789012", request.UserId);
        Assert.Equal("2023-04-01T14:15:30Z", request.Timestamp);
        Assert.Equal("wss://api.mentra.glass/app-ws/session-123456", request.MentraOSWebSocketUrl);
        Assert.Equal(request.MentraOSWebSocketUrl, request.ResolvedWebSocketUrl);
    }

    [Fact]
    public void Docs_server_heartbeat()
    {
        var request = Assert.IsType<ServerHeartbeatWebhookRequest>(Read(Payload("docs/server_heartbeat.json")));

        Assert.Equal(WebhookRequestType.ServerHeartbeat, request.Type);
        Assert.Equal("heartbeat-123456", request.SessionId);
        Assert.Equal("system", request.UserId);
        Assert.Equal("2023-04-01T14:30:00Z", request.Timestamp);
        Assert.Equal("reg-78901234", request.RegistrationId);
    }

    [Fact]
    public void Docs_responses()
    {
        WebhookResponse success = JsonSerializer.Deserialize(Payload("docs/response_success.json"), MentraJsonContext.Default.WebhookResponse)!;
        WebhookResponse error = JsonSerializer.Deserialize(Payload("docs/response_error.json"), MentraJsonContext.Default.WebhookResponse)!;

        Assert.Equal(WebhookResponse.Success, success);
        Assert.True(success.IsSuccess);
        Assert.Null(success.Message);
        Assert.Equal(WebhookResponse.Error("Failed to create session: Invalid configuration"), error);
        Assert.False(error.IsSuccess);
        AssertSameJson(Payload("docs/response_success.json"), JsonSerializer.Serialize(success, MentraJsonContext.Default.WebhookResponse));
        AssertSameJson(Payload("docs/response_error.json"), JsonSerializer.Serialize(error, MentraJsonContext.Default.WebhookResponse));
    }

    [Theory]
    [InlineData("docs/session_request.json")]
    [InlineData("docs/stop_request.json")]
    [InlineData("docs/server_registration.json")]
    [InlineData("docs/session_recovery.json")]
    [InlineData("docs/server_heartbeat.json")]
    [InlineData("wire/session_request.json")]
    [InlineData("wire/session_request_legacy.json")]
    [InlineData("wire/stop_request.json")]
    [InlineData("wire/session_request_type_last.json")]
    public void Every_payload_writes_back_to_the_same_json(string name)
    {
        string json = Payload(name);

        WebhookRequest request = Read(json);
        string written = Write(request);

        AssertSameJson(json, written);
        Assert.Equal(request, Read(written));
    }

    [Fact]
    public void Concrete_types_read_and_write_through_their_own_metadata()
    {
        string json = Payload("docs/stop_request.json");

        StopWebhookRequest stop = JsonSerializer.Deserialize(json, MentraJsonContext.Default.StopWebhookRequest)!;

        Assert.Equal("session-123456", stop.SessionId);
        AssertSameJson(json, JsonSerializer.Serialize(stop, MentraJsonContext.Default.StopWebhookRequest));
    }

    [Fact]
    public void Wire_session_request_resolves_the_v2_url_not_the_v3_one()
    {
        var request = Assert.IsType<SessionWebhookRequest>(Read(Payload("wire/session_request.json")));

        Assert.Equal("alice@example.com-org.example.myapp", request.SessionId);
        Assert.Equal("alice@example.com", request.UserId);
        Assert.Equal("2026-06-27T21:54:26.123Z", request.Timestamp);
        Assert.Equal("wss://cloud.mentra.glass/ws/miniapp", request.WebSocketUrl);
        Assert.Equal("wss://cloud.mentra.glass/app-ws", request.MentraOSWebSocketUrl);
        Assert.Equal("wss://cloud.mentra.glass/app-ws", request.AugmentOSWebSocketUrl);
        Assert.Equal("wss://cloud.mentra.glass/app-ws", request.ResolvedWebSocketUrl); // the v2 endpoint this SDK speaks
    }

    [Fact]
    public void One_url_sent_under_several_names_is_read_into_one_string()
    {
        var request = Assert.IsType<SessionWebhookRequest>(Read(Payload("wire/session_request.json")));

        Assert.Same(request.MentraOSWebSocketUrl, request.AugmentOSWebSocketUrl);
        Assert.NotSame(request.WebSocketUrl, request.MentraOSWebSocketUrl);
    }

    [Theory]
    [InlineData("wss://a.mentra.glass/x", "wss://a.mentra.glass/y", "wss://a.mentra.glass/y")]
    [InlineData("wss://a.mentra.glass/x", "wss:\\/\\/a.mentra.glass\\/x", "wss://a.mentra.glass/x")]
    [InlineData("wss://a.mentra.glass/\\u00e9", "wss://a.mentra.glass/\\u00e9", "wss://a.mentra.glass/\\u00e8")]
    [InlineData("", "", "wss://a.mentra.glass/x")]
    public void Url_reuse_never_changes_a_value(string websocketUrl, string mentraOS, string augmentOS)
    {
        string json = $$"""{"type":"session_request","sessionId":"s","userId":"u","timestamp":"t","websocketUrl":"{{websocketUrl}}","mentraOSWebsocketUrl":"{{mentraOS}}","augmentOSWebsocketUrl":"{{augmentOS}}"}""";
        string Text(string escaped) => JsonDocument.Parse("\"" + escaped + "\"").RootElement.GetString()!;

        var request = Assert.IsType<SessionWebhookRequest>(Read(json));

        Assert.Equal(Text(websocketUrl), request.WebSocketUrl);
        Assert.Equal(Text(mentraOS), request.MentraOSWebSocketUrl);
        Assert.Equal(Text(augmentOS), request.AugmentOSWebSocketUrl);
    }

    [Fact]
    public void Url_reuse_reads_the_right_values_from_a_stream_in_small_segments()
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(Payload("wire/session_request.json"));
        var options = new JsonSerializerOptions { DefaultBufferSize = 16, TypeInfoResolver = MentraJsonContext.Default };

        var request = Assert.IsType<SessionWebhookRequest>(JsonSerializer.Deserialize<WebhookRequest>(new MemoryStream(utf8), options));

        Assert.Equal("wss://cloud.mentra.glass/ws/miniapp", request.WebSocketUrl);
        Assert.Equal("wss://cloud.mentra.glass/app-ws", request.MentraOSWebSocketUrl);
        Assert.Equal("wss://cloud.mentra.glass/app-ws", request.AugmentOSWebSocketUrl);
    }

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("zo\u00EB@example.com")]
    [InlineData("\u65E5\u672C\u8A9E")]
    [InlineData("\U0001F576\uFE0F glasses")]
    [InlineData("\\u00e9t\\u00e9")]
    [InlineData("tab\\t quote\\\" backslash\\\\")]
    [InlineData("del \u007F")]
    [InlineData("")]
    public void Every_string_reads_exactly_what_the_json_says(string text)
    {
        string json = $$"""{"type":"stop_request","sessionId":"{{text}}","userId":"u","timestamp":"t","reason":"{{text}}"}""";
        string expected = JsonDocument.Parse("\"" + text + "\"").RootElement.GetString()!;
        var options = new JsonSerializerOptions { DefaultBufferSize = 16, TypeInfoResolver = MentraJsonContext.Default };
        var whole = Assert.IsType<StopWebhookRequest>(Read(json));
        var segmented = Assert.IsType<StopWebhookRequest>(JsonSerializer.Deserialize<WebhookRequest>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), options));

        Assert.Equal(expected, whole.SessionId);
        Assert.Equal(expected, whole.Reason.Value);
        Assert.Equal(expected, segmented.SessionId);
        Assert.Equal(expected, segmented.Reason.Value);
    }

    [Fact]
    public void Legacy_session_request_resolves_augmentOSWebsocketUrl()
    {
        var request = Assert.IsType<SessionWebhookRequest>(Read(Payload("wire/session_request_legacy.json")));

        Assert.Equal("bob-smith@example.com-org.example.myapp", request.SessionId);
        Assert.Equal("wss://prod.augmentos.cloud/app-ws", request.ResolvedWebSocketUrl);
    }

    [Theory]
    [InlineData("", "", "", null)]
    [InlineData("", "wss://b", "wss://c", "wss://b")]
    [InlineData("", "", "wss://c", "wss://c")]
    [InlineData("wss://a", "wss://b", "wss://c", "wss://b")]
    [InlineData("wss://a", "", "wss://c", "wss://c")]
    [InlineData("wss://a", "", "", "wss://a")]
    public void Resolved_url_is_the_first_non_empty_of_mentraOS_augmentOS_then_websocketUrl(string websocketUrl, string mentraOS, string augmentOS, string? expected)
    {
        var request = new SessionWebhookRequest
        {
            SessionId = "s",
            UserId = "u",
            Timestamp = "t",
            WebSocketUrl = websocketUrl,
            MentraOSWebSocketUrl = mentraOS,
            AugmentOSWebSocketUrl = augmentOS,
        };

        Assert.Equal(expected, request.ResolvedWebSocketUrl);
    }

    [Fact]
    public void Type_as_the_last_property_reads_the_right_record()
    {
        var request = Assert.IsType<SessionWebhookRequest>(Read(Payload("wire/session_request_type_last.json")));

        Assert.Equal("alice@example.com-org.example.myapp", request.SessionId);
        Assert.Equal("wss://cloud.mentra.glass/app-ws", request.ResolvedWebSocketUrl);
    }

    [Fact]
    public void Written_json_puts_type_first_and_leaves_out_unset_optional_properties()
    {
        var request = new SessionWebhookRequest { SessionId = "s", UserId = "u", Timestamp = "t" };

        Assert.Equal("""{"type":"session_request","sessionId":"s","userId":"u","timestamp":"t"}""", Write(request));
    }

    [Fact]
    public void Session_recovery_converts_to_a_session_request()
    {
        var recovery = Assert.IsType<SessionRecoveryWebhookRequest>(Read(Payload("docs/session_recovery.json")));

        SessionWebhookRequest session = recovery.ToSessionWebhookRequest();

        Assert.Equal(new SessionWebhookRequest
        {
            SessionId = "session-123456",
            UserId = "user-789012",
            Timestamp = "2023-04-01T14:15:30Z",
            MentraOSWebSocketUrl = "wss://api.mentra.glass/app-ws/session-123456",
        }, session);
    }
}
