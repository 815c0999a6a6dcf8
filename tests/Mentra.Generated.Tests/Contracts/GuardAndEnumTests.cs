using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;
using static Mentra.Generated.Tests.Contracts.PayloadTests;

namespace Mentra.Generated.Tests.Contracts;

/// <summary>The documented type guards, and the enumerations that keep unknown values.</summary>
public sealed class GuardAndEnumTests
{
    public static IEnumerable<TheoryDataRow<string, string>> Requests() =>
    [
        new("docs/session_request.json", nameof(SessionWebhookRequest)),
        new("docs/stop_request.json", nameof(StopWebhookRequest)),
        new("docs/server_registration.json", nameof(ServerRegistrationWebhookRequest)),
        new("docs/session_recovery.json", nameof(SessionRecoveryWebhookRequest)),
        new("docs/server_heartbeat.json", nameof(ServerHeartbeatWebhookRequest)),
    ];

    [Theory]
    [MemberData(nameof(Requests))]
    public void Exactly_one_guard_matches_each_request(string payload, string typeName)
    {
        WebhookRequest request = Read(Payload(payload));

        var matches = new Dictionary<string, bool>
        {
            [nameof(SessionWebhookRequest)] = request.IsSessionWebhookRequest(),
            [nameof(StopWebhookRequest)] = request.IsStopWebhookRequest(),
            [nameof(ServerRegistrationWebhookRequest)] = request.IsServerRegistrationWebhookRequest(),
            [nameof(SessionRecoveryWebhookRequest)] = request.IsSessionRecoveryWebhookRequest(),
            [nameof(ServerHeartbeatWebhookRequest)] = request.IsServerHeartbeatWebhookRequest(),
            [nameof(UnknownWebhookRequest)] = request.IsUnknownWebhookRequest(),
        };

        Assert.Equal([typeName], [.. matches.Where(m => m.Value).Select(m => m.Key)]);
        Assert.Equal(typeName, request.GetType().Name);
    }

    [Fact]
    public void Requests_of_an_unknown_type_are_equal_when_their_JSON_is()
    {
        const string Json = """{"type":"webhook_from_the_future","sessionId":"s1","userId":"u1","timestamp":"2025-11-30T06:10:00Z","extra":{"a":[1,2]}}""";
        var first = (UnknownWebhookRequest)JsonSerializer.Deserialize(Json, MentraJsonContext.Default.WebhookRequest)!;
        var second = (UnknownWebhookRequest)JsonSerializer.Deserialize(Json, MentraJsonContext.Default.WebhookRequest)!;
        var other = (UnknownWebhookRequest)JsonSerializer.Deserialize(Json.Replace("[1,2]", "[1,3]"), MentraJsonContext.Default.WebhookRequest)!;

        // Two reads hold their JSON in two documents: equality compares the values, as for every generated record.
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Out_form_gives_the_typed_request()
    {
        WebhookRequest request = Read(Payload("docs/stop_request.json"));

        Assert.True(WebhookGuards.IsStopWebhookRequest(request, out StopWebhookRequest? stop));
        Assert.Equal(StopReason.UserDisabled, stop.Reason);
        Assert.False(request.IsSessionWebhookRequest(out SessionWebhookRequest? session));
        Assert.Null(session);
    }

    [Fact]
    public void Guards_accept_null()
    {
        WebhookRequest? request = null;

        Assert.False(request.IsSessionWebhookRequest());
        Assert.False(request.IsStopWebhookRequest(out _));
    }

    [Fact]
    public void Processing_as_in_the_docs_with_pattern_matching()
    {
        static WebhookResponse Process(WebhookRequest request) => request switch
        {
            SessionWebhookRequest => WebhookResponse.Success,
            StopWebhookRequest => WebhookResponse.Success,
            _ => WebhookResponse.Error($"Unknown webhook type: {request.Type}"),
        };

        Assert.Equal(WebhookResponse.Success, Process(Read(Payload("docs/session_request.json"))));
        Assert.Equal(WebhookResponse.Error("Unknown webhook type: server_heartbeat"), Process(Read(Payload("docs/server_heartbeat.json"))));
    }

    [Fact]
    public void Known_enum_values_read_as_the_shared_instances()
    {
        StopReason reason = JsonSerializer.Deserialize("\"system_stop\"", MentraJsonContext.Default.StopReason);

        Assert.Equal(StopReason.SystemStop, reason);
        Assert.Same(StopReason.SystemStop.Value, reason.Value);
        Assert.True(reason.IsKnown);
        Assert.Equal("\"system_stop\"", JsonSerializer.Serialize(reason, MentraJsonContext.Default.StopReason));
    }

    [Fact]
    public void Enum_values_compare_ordinally_and_convert_from_strings()
    {
        StopReason fromString = "user_disabled";

        Assert.True(fromString == StopReason.UserDisabled);
        Assert.True(new StopReason("USER_DISABLED") != StopReason.UserDisabled);
        Assert.Equal(StopReason.UserDisabled.GetHashCode(), fromString.GetHashCode());
        Assert.Equal(string.Empty, default(StopReason).Value);
        Assert.False(default(StopReason).IsKnown);
        Assert.Throws<System.ArgumentNullException>(() => new StopReason(null!));
    }

    [Fact]
    public void Every_request_type_is_known_to_the_type_enumeration()
    {
        Assert.All(
            [WebhookRequestType.SessionRequest, WebhookRequestType.StopRequest, WebhookRequestType.ServerRegistration, WebhookRequestType.ServerHeartbeat, WebhookRequestType.SessionRecovery],
            type => Assert.True(type.IsKnown));
        Assert.Equal("session_recovery", WebhookRequestType.SessionRecovery.Value);
        Assert.Equal("session_request", SessionWebhookRequest.Discriminator);
    }
}
