using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mentra.Generated.Protocol;
using Mentra.Generated.Tests.Contracts;
using Xunit;

namespace Mentra.Generated.Tests.Protocol;

/// <summary>
/// The generated readers take properties in any order: every documented webhook and protocol message, its properties
/// (and those of its objects) shuffled with a fixed seed, reads into a record equal to the one read from the original.
/// This covers each reader's paths: <c>type</c> first (one pass), <c>type</c> later (found first on a copy of the reader),
/// and a tagged value before its tag (kept as JSON until the tag is read).
/// </summary>
public sealed class PropertyOrderTests
{
    private const int Shuffles = 12;

    public static TheoryData<string> Webhooks() => new()
    {
        "docs/session_request.json",
        "docs/stop_request.json",
        "docs/server_registration.json",
        "docs/session_recovery.json",
        "docs/server_heartbeat.json",
        "wire/session_request.json",
        "wire/session_request_legacy.json",
        "wire/stop_request.json",
    };

    [Theory]
    [MemberData(nameof(Webhooks))]
    public void A_webhook_reads_the_same_in_any_property_order(string payload)
    {
        string json = PayloadTests.Payload(payload);
        WebhookRequest expected = PayloadTests.Read(json);
        foreach (string shuffled in Shuffled(json))
        {
            Assert.True(expected.Equals(PayloadTests.Read(shuffled)), shuffled);
        }
    }

    [Theory]
    [MemberData(nameof(ProtocolExamplesTests.CloudExamples), MemberType = typeof(ProtocolExamplesTests))]
    public void A_cloud_message_reads_the_same_in_any_property_order(string name, string example)
    {
        string json = ProtocolExamplesTests.Fill(example);
        CloudMessage expected = JsonSerializer.Deserialize(json, AppSessionJsonContext.Default.CloudMessage)!;
        foreach (string shuffled in Shuffled(json))
        {
            // Read whole and as the session reads it (a data_stream without its envelope when type comes first), alike.
            Assert.True(expected.Equals(RoutingReadTests.AssertSameOutcome(Encoding.UTF8.GetBytes(shuffled))), name + ": " + shuffled);
        }
    }

    [Theory]
    [MemberData(nameof(ProtocolExamplesTests.AppExamples), MemberType = typeof(ProtocolExamplesTests))]
    public void An_app_message_reads_the_same_in_any_property_order(string name, string example)
    {
        string json = ProtocolExamplesTests.Fill(example);
        AppMessage expected = JsonSerializer.Deserialize(json, AppSessionJsonContext.Default.AppMessage)!;
        foreach (string shuffled in Shuffled(json))
        {
            Assert.True(expected.Equals(JsonSerializer.Deserialize(shuffled, AppSessionJsonContext.Default.AppMessage)), name + ": " + shuffled);
        }
    }

    /// <summary>The JSON with the properties of every object in it shuffled, <see cref="Shuffles"/> times, from a fixed seed.</summary>
    private static IEnumerable<string> Shuffled(string json)
    {
        var random = new Random(json.Length);
        for (int i = 0; i < Shuffles; i++)
        {
            yield return Shuffle(JsonNode.Parse(json), random)!.ToJsonString();
        }
    }

    private static JsonNode? Shuffle(JsonNode? node, Random random) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(_ => random.Next()).Select(p => KeyValuePair.Create(p.Key, Shuffle(p.Value, random))).ToList()),
        JsonArray array => new JsonArray(array.Select(item => Shuffle(item, random)).ToArray()),
        _ => node?.DeepClone(),
    };
}
