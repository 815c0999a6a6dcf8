using System.Text.Json;
using Xunit;
using static Mentra.Generated.Tests.Contracts.PayloadTests;

namespace Mentra.Generated.Tests.Contracts;

/// <summary>What each kind of bad or surprising payload gives: an exact exception message, or a distinct result.</summary>
public sealed class BadPayloadTests
{
    private static string Error(string json) =>
        Assert.Throws<JsonException>(() => Read(json)).Message;

    [Theory]
    [InlineData("""{"type":"stop_request","userId":"u","timestamp":"t","reason":"error"}""", "sessionId", "stop_request")]
    [InlineData("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t"}""", "reason", "stop_request")]
    [InlineData("""{"type":"session_request","sessionId":"s","userId":"u"}""", "timestamp", "session_request")]
    [InlineData("""{"type":"server_registration","sessionId":"s","userId":"u","timestamp":"t","registrationId":"r","packageName":"p"}""", "serverUrls", "server_registration")]
    [InlineData("""{"type":"session_recovery","sessionId":"s","userId":"u","timestamp":"t"}""", "mentraOSWebsocketUrl", "session_recovery")]
    [InlineData("""{"type":"server_heartbeat","sessionId":"s","userId":"u","timestamp":"t"}""", "registrationId", "server_heartbeat")]
    [InlineData("""{"sessionId":"s","userId":"u","timestamp":"t"}""", "type", "WebhookRequest")]
    [InlineData("""{"type":"brand_new","userId":"u","timestamp":"t"}""", "sessionId", "WebhookRequest")]
    public void Missing_required_property_names_it(string json, string property, string type)
    {
        Assert.Equal($"The required property '{property}' is missing from the {type}.", Error(json));
    }

    [Theory]
    [InlineData("""{"type":"stop_request","sessionId":42,"userId":"u","timestamp":"t","reason":"error"}""", "sessionId", "a string", "a number")]
    [InlineData("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":{}}""", "reason", "a string", "an object")]
    [InlineData("""{"type":"server_registration","sessionId":"s","userId":"u","timestamp":"t","registrationId":"r","packageName":"p","serverUrls":"x"}""", "serverUrls", "an array", "a string")]
    [InlineData("""{"type":"server_registration","sessionId":"s","userId":"u","timestamp":"t","registrationId":"r","packageName":"p","serverUrls":[1]}""", "serverUrls", "a string", "a number")]
    [InlineData("""{"type":true,"sessionId":"s","userId":"u","timestamp":"t"}""", "type", "a string", "a boolean")]
    [InlineData("""{"type":"session_request","sessionId":"s","userId":["u"],"timestamp":"t"}""", "userId", "a string", "an array")]
    public void Wrong_json_type_names_the_property(string json, string property, string expected, string actual)
    {
        Assert.Equal($"The property '{property}' must be {expected}, but it is {actual}.", Error(json));
    }

    [Theory]
    [InlineData("""{"type":"stop_request","sessionId":null,"userId":"u","timestamp":"t","reason":"error"}""", "sessionId")]
    [InlineData("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":null}""", "reason")]
    [InlineData("""{"type":"server_registration","sessionId":"s","userId":"u","timestamp":"t","registrationId":"r","packageName":"p","serverUrls":null}""", "serverUrls")]
    [InlineData("""{"type":null,"sessionId":"s","userId":"u","timestamp":"t"}""", "type")]
    public void Null_for_a_required_property_names_it(string json, string property)
    {
        Assert.Equal($"The property '{property}' must not be null.", Error(json));
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_a_json_exception()
    {
        byte[] utf8 = [.. "{\"type\":\"stop_request\",\"sessionId\":\"s"u8, 0xC3, 0x28, .. "\",\"userId\":\"u\",\"timestamp\":\"t\",\"reason\":\"error\"}"u8];

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(utf8, MentraJsonContext.Default.WebhookRequest));
    }

    [Fact]
    public void Null_for_an_optional_property_reads_as_unset()
    {
        var request = Assert.IsType<SessionWebhookRequest>(Read("""{"type":"session_request","sessionId":"s","userId":"u","timestamp":"t","websocketUrl":null}"""));

        Assert.Null(request.WebSocketUrl);
        Assert.Null(request.ResolvedWebSocketUrl);
    }

    [Fact]
    public void Unknown_type_is_a_distinct_result_holding_the_raw_type_and_payload()
    {
        const string json = """{"type":"tool_call","sessionId":"s","userId":"u","timestamp":"t","toolId":"x","nested":{"a":[1,2]}}""";

        var request = Assert.IsType<UnknownWebhookRequest>(Read(json));

        Assert.Equal("tool_call", request.Type.Value);
        Assert.False(request.Type.IsKnown);
        Assert.Equal("s", request.SessionId);
        Assert.Equal("u", request.UserId);
        Assert.Equal("t", request.Timestamp);
        Assert.Equal("x", request.Json.GetProperty("toolId").GetString());
        Assert.True(request.IsUnknownWebhookRequest());
        AssertSameJson(json, Write(request));
    }

    [Fact]
    public void Unknown_stop_reason_is_kept_as_data()
    {
        const string json = """{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":"quota_exceeded"}""";

        var request = Assert.IsType<StopWebhookRequest>(Read(json));

        Assert.Equal("quota_exceeded", request.Reason.Value);
        Assert.False(request.Reason.IsKnown);
        Assert.NotEqual(StopReason.Error, request.Reason);
        Assert.Equal(new StopReason("quota_exceeded"), request.Reason);
        AssertSameJson(json, Write(request));
    }

    [Fact]
    public void Unknown_extra_properties_are_ignored_wherever_they_stand()
    {
        const string json = """{"extra":{"deep":[{"x":1}]},"type":"stop_request","sessionId":"s","more":[1,"two",null],"userId":"u","timestamp":"t","reason":"system_stop","last":true}""";

        var request = Assert.IsType<StopWebhookRequest>(Read(json));

        Assert.Equal(new StopWebhookRequest { SessionId = "s", UserId = "u", Timestamp = "t", Reason = StopReason.SystemStop }, request);
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"session_request\"", "a string")]
    [InlineData("42", "a number")]
    public void Json_that_is_not_an_object_is_rejected(string json, string actual)
    {
        Assert.Equal($"A WebhookRequest must be a JSON object, but the JSON is {actual}.", Error(json));
    }

    [Fact]
    public void Json_null_reads_as_null()
    {
        Assert.Null(JsonSerializer.Deserialize("null", MentraJsonContext.Default.WebhookRequest));
    }

    [Theory]
    [InlineData("{\"type\":\"stop_request\",")]
    [InlineData("{'type':'stop_request'}")]
    [InlineData("")]
    public void Malformed_json_is_a_json_exception(string json)
    {
        Assert.Throws<JsonException>(() => Read(json));
    }

    [Fact]
    public void A_second_type_property_that_disagrees_is_rejected()
    {
        const string json = """{"type":"session_request","sessionId":"s","userId":"u","timestamp":"t","type":"stop_request"}""";

        Assert.Equal("The property 'type' must be 'session_request' for this type.", Error(json));
    }

    [Fact]
    public void Reading_a_concrete_type_checks_the_discriminator()
    {
        const string json = """{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":"error"}""";

        var exception = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, MentraJsonContext.Default.SessionWebhookRequest));

        Assert.Equal("The property 'type' must be 'session_request' for this type.", exception.Message);
    }

    [Fact]
    public void Escaped_names_and_values_are_unescaped_before_matching()
    {
        const string json = """{"\u0074ype":"stop\u005frequest","session\u0049d":"s","userId":"u\u00e9","timestamp":"t","reason":"user\u005Fdisabled"}""";

        var request = Assert.IsType<StopWebhookRequest>(Read(json));

        Assert.Equal("s", request.SessionId);
        Assert.Equal("u\u00e9", request.UserId);
        Assert.Same(StopReason.UserDisabled.Value, request.Reason.Value);
    }

    [Fact]
    public void Escaped_type_value_after_other_properties_is_found()
    {
        const string json = """{"sessionId":"s","userId":"u","timestamp":"t","registrationId":"r","type":"server\u005fheartbeat"}""";

        Assert.IsType<ServerHeartbeatWebhookRequest>(Read(json));
    }

    [Fact]
    public void An_overlong_escaped_name_matches_nothing()
    {
        string longName = string.Concat(System.Linq.Enumerable.Repeat("\\u0061", 40));
        string json = "{\"type\":\"stop_request\",\"" + longName + "\":1,\"sessionId\":\"s\",\"userId\":\"u\",\"timestamp\":\"t\",\"reason\":\"error\"}";

        var request = Assert.IsType<StopWebhookRequest>(Read(json));

        Assert.Equal(StopReason.Error, request.Reason);
    }
}
