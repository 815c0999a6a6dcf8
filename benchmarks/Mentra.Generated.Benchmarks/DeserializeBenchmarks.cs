using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using Mentra.Generated.Benchmarks.HandWritten;

namespace Mentra.Generated.Benchmarks;

/// <summary>
/// Deserializing each webhook type from UTF-8 bytes: the generated metadata, against hand-written records
/// read by System.Text.Json's source-generated polymorphic context and by reflection-based System.Text.Json.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[Q1Column]
public class DeserializeBenchmarks
{
    internal static readonly Dictionary<string, string> Payloads = new()
    {
        ["session_request"] = """{"type":"session_request","sessionId":"alice@example.com-org.example.myapp","userId":"alice@example.com","timestamp":"2026-06-27T21:54:26.123Z","websocketUrl":"wss://cloud.mentra.glass/ws/miniapp","mentraOSWebsocketUrl":"wss://cloud.mentra.glass/app-ws","augmentOSWebsocketUrl":"wss://cloud.mentra.glass/app-ws"}""",
        ["stop_request"] = """{"type":"stop_request","sessionId":"alice@example.com-org.example.myapp","userId":"alice@example.com","timestamp":"2026-06-27T22:10:02.456Z","reason":"user_disabled"}""",
        ["server_registration"] = """{"type":"server_registration","sessionId":"registration-123456","userId":"system","timestamp":"2023-04-01T10:00:00Z","registrationId":"reg-78901234","packageName":"org.company.myapp","serverUrls":["https://myapp-app.example.com/webhook"]}""",
        ["session_recovery"] = """{"type":"session_recovery","sessionId":"session-123456","userId":"user-789012","timestamp":"2023-04-01T14:15:30Z","mentraOSWebsocketUrl":"wss://api.mentra.glass/app-ws/session-123456"}""",
        ["server_heartbeat"] = """{"type":"server_heartbeat","sessionId":"heartbeat-123456","userId":"system","timestamp":"2023-04-01T14:30:00Z","registrationId":"reg-78901234"}""",
    };

    private static readonly JsonSerializerOptions Reflection = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    private byte[] _utf8 = [];

    [Params("session_request", "stop_request", "server_registration", "session_recovery", "server_heartbeat")]
    public string Type { get; set; } = "session_request";

    [GlobalSetup]
    public void Setup() => _utf8 = Encoding.UTF8.GetBytes(Payloads[Type]);

    [Benchmark(Description = "Mentra.Generated")]
    public WebhookRequest? Generated() => JsonSerializer.Deserialize(_utf8, MentraJsonContext.Default.WebhookRequest);

    [Benchmark(Description = "Mentra.Generated, converter direct")]
    public WebhookRequest DirectConverter()
    {
        var reader = new Utf8JsonReader(_utf8);
        reader.Read();
        return Converter.Read(ref reader, typeof(WebhookRequest), MentraJsonContext.Default.Options);
    }

    private static readonly Serialization.WebhookRequestJsonConverter Converter = new();

    [Benchmark(Baseline = true, Description = "STJ source-gen, polymorphic")]
    public BaseRequest? StjSourceGenerated() => JsonSerializer.Deserialize(_utf8, HandWrittenJsonContext.Default.BaseRequest);

    [Benchmark(Description = "STJ source-gen, type anywhere")]
    public BaseRequest? StjSourceGeneratedOutOfOrder() => JsonSerializer.Deserialize(_utf8, HandWrittenOutOfOrderJsonContext.Default.BaseRequest);

    [Benchmark(Description = "STJ reflection")]
    public BaseRequest? StjReflection() => JsonSerializer.Deserialize<BaseRequest>(_utf8, Reflection);
}

/// <summary>
/// session_request when its URLs change on every read, the worst case for its <c>x-reuse-last</c> URL properties:
/// two payloads with different URLs read in turn, so neither finds the string kept from the read before.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[Q1Column]
public class SessionUrlChangeBenchmarks
{
    /// <summary>The two session_request payloads read in turn: the wire one, and the same with every URL on another host.</summary>
    internal static readonly byte[][] Payloads =
    [
        Encoding.UTF8.GetBytes(DeserializeBenchmarks.Payloads["session_request"]),
        Encoding.UTF8.GetBytes(DeserializeBenchmarks.Payloads["session_request"].Replace("cloud.mentra.glass", "uscentralapi.mentra.glass")),
    ];

    private readonly byte[] _first = Payloads[0];
    private readonly byte[] _second = Payloads[1];

    [Benchmark(Description = "Mentra.Generated", OperationsPerInvoke = 2)]
    public WebhookRequest? Generated()
    {
        JsonSerializer.Deserialize(_first, MentraJsonContext.Default.WebhookRequest);
        return JsonSerializer.Deserialize(_second, MentraJsonContext.Default.WebhookRequest);
    }

    [Benchmark(Baseline = true, Description = "STJ source-gen, polymorphic", OperationsPerInvoke = 2)]
    public BaseRequest? StjSourceGenerated()
    {
        JsonSerializer.Deserialize(_first, HandWrittenJsonContext.Default.BaseRequest);
        return JsonSerializer.Deserialize(_second, HandWrittenJsonContext.Default.BaseRequest);
    }
}
