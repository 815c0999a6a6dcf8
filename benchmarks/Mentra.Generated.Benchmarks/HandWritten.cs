using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Mentra.Generated.Benchmarks.HandWritten;

// What a developer writes by hand without this SDK: records, and System.Text.Json's own polymorphism.
// Used only as the baseline of the deserialization benchmark.

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SessionRequest), "session_request")]
[JsonDerivedType(typeof(StopRequest), "stop_request")]
[JsonDerivedType(typeof(ServerRegistration), "server_registration")]
[JsonDerivedType(typeof(SessionRecovery), "session_recovery")]
[JsonDerivedType(typeof(ServerHeartbeat), "server_heartbeat")]
public abstract record BaseRequest
{
    [JsonPropertyName("sessionId")] public required string SessionId { get; init; }
    [JsonPropertyName("userId")] public required string UserId { get; init; }
    [JsonPropertyName("timestamp")] public required string Timestamp { get; init; }
}

public sealed record SessionRequest : BaseRequest
{
    [JsonPropertyName("websocketUrl")] public string? WebsocketUrl { get; init; }
    [JsonPropertyName("mentraOSWebsocketUrl")] public string? MentraOSWebsocketUrl { get; init; }
    [JsonPropertyName("augmentOSWebsocketUrl")] public string? AugmentOSWebsocketUrl { get; init; }
}

public sealed record StopRequest : BaseRequest
{
    [JsonPropertyName("reason")] public required string Reason { get; init; }
}

public sealed record ServerRegistration : BaseRequest
{
    [JsonPropertyName("registrationId")] public required string RegistrationId { get; init; }
    [JsonPropertyName("packageName")] public required string PackageName { get; init; }
    [JsonPropertyName("serverUrls")] public required IReadOnlyList<string> ServerUrls { get; init; }
}

public sealed record SessionRecovery : BaseRequest
{
    [JsonPropertyName("mentraOSWebsocketUrl")] public required string MentraOSWebsocketUrl { get; init; }
}

public sealed record ServerHeartbeat : BaseRequest
{
    [JsonPropertyName("registrationId")] public required string RegistrationId { get; init; }
}

/// <summary>System.Text.Json's source generator over the hand-written records (discriminator must come first).</summary>
[JsonSerializable(typeof(BaseRequest))]
public sealed partial class HandWrittenJsonContext : JsonSerializerContext;

/// <summary>The same, allowing the discriminator anywhere, as webhooks need (System.Text.Json then buffers).</summary>
[JsonSourceGenerationOptions(AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(BaseRequest))]
public sealed partial class HandWrittenOutOfOrderJsonContext : JsonSerializerContext;
