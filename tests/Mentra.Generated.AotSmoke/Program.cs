using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mentra.Generated;

// Reads and writes every webhook type through the generated metadata, under NativeAOT.
// Prints one line per check and exits non-zero if any fails.
var failures = new List<string>();
string payloads = Path.Combine(AppContext.BaseDirectory, "Payloads");

void Check(string name, bool ok, string detail = "")
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {name} {detail}");
    if (!ok)
    {
        failures.Add(name);
    }
}

var expectedTypes = new Dictionary<string, Type>
{
    ["docs/session_request.json"] = typeof(SessionWebhookRequest),
    ["docs/stop_request.json"] = typeof(StopWebhookRequest),
    ["docs/server_registration.json"] = typeof(ServerRegistrationWebhookRequest),
    ["docs/session_recovery.json"] = typeof(SessionRecoveryWebhookRequest),
    ["docs/server_heartbeat.json"] = typeof(ServerHeartbeatWebhookRequest),
    ["wire/session_request.json"] = typeof(SessionWebhookRequest),
    ["wire/session_request_legacy.json"] = typeof(SessionWebhookRequest),
    ["wire/session_request_type_last.json"] = typeof(SessionWebhookRequest),
    ["wire/stop_request.json"] = typeof(StopWebhookRequest),
};

foreach ((string file, Type type) in expectedTypes)
{
    string json = File.ReadAllText(Path.Combine(payloads, file));
    WebhookRequest request = JsonSerializer.Deserialize(json, MentraJsonContext.Default.WebhookRequest)!;
    string written = JsonSerializer.Serialize(request, MentraJsonContext.Default.WebhookRequest);
    Check(file, request.GetType() == type && JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)), request.GetType().Name);
}

foreach (string file in new[] { "docs/response_success.json", "docs/response_error.json" })
{
    string json = File.ReadAllText(Path.Combine(payloads, file));
    WebhookResponse response = JsonSerializer.Deserialize(json, MentraJsonContext.Default.WebhookResponse)!;
    string written = JsonSerializer.Serialize(response, MentraJsonContext.Default.WebhookResponse);
    Check(file, JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)), response.Status.Value);
}

var unknown = JsonSerializer.Deserialize("""{"type":"tool_call","sessionId":"s","userId":"u","timestamp":"t"}""", MentraJsonContext.Default.WebhookRequest);
Check("unknown type", unknown is UnknownWebhookRequest { Type.Value: "tool_call" });

var stop = JsonSerializer.Deserialize("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":"new_reason"}""", MentraJsonContext.Default.WebhookRequest);
Check("unknown stop reason", stop is StopWebhookRequest { Reason.IsKnown: false, Reason.Value: "new_reason" });

try
{
    JsonSerializer.Deserialize("""{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t"}""", MentraJsonContext.Default.WebhookRequest);
    Check("missing field", false, "no exception");
}
catch (JsonException e)
{
    Check("missing field", e.Message == "The required property 'reason' is missing from the stop_request.", e.Message);
}

// An app's own System.Text.Json context may hold the SDK's records (here, to keep the last stop request). The STJ
// generator uses the converter named by the record's [JsonConverter] only when it can reach it: this is why the
// generated converters are public (hidden from IntelliSense), not internal. This console sees no internals.
const string savedJson = """{"Request":{"type":"stop_request","sessionId":"s","userId":"u","timestamp":"t","reason":"user_disabled"},"Count":2}""";
SavedStop saved = JsonSerializer.Deserialize(savedJson, AppJsonContext.Default.SavedStop)!;
Check("SDK record inside an app's own JSON context", saved.Request.Reason == StopReason.UserDisabled && saved.Count == 2
    && JsonSerializer.Serialize(saved, AppJsonContext.Default.SavedStop) == savedJson);

// The sample's and the template's GC setting, compiled into the binary: the first collection comes within the 3 MiB
// cap whatever the CPU's cache (the GC's own default grows with it: 80 MiB on a 260 MiB L3).
GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out object? budget);
Check("System.GC.Gen0MaxBudget is read under NativeAOT", budget is not null && Convert.ToInt64(budget, System.Globalization.CultureInfo.InvariantCulture) == 3145728, "GCGen0MaxBudget=" + budget);
long allocatedBeforeCollection = 0;
int collections = GC.CollectionCount(0);
while (GC.CollectionCount(0) == collections && allocatedBeforeCollection < 64L * 1024 * 1024)
{
    GC.KeepAlive(new byte[1000]);
    allocatedBeforeCollection += 1024;
}

Check("the first generation is collected within its cap", allocatedBeforeCollection < 4L * 1024 * 1024, $"first collection after {allocatedBeforeCollection / 1024} KiB");

Console.WriteLine(failures.Count == 0 ? "AOT smoke: all checks passed" : $"AOT smoke: {failures.Count} failed");
return failures.Count == 0 ? 0 : 1;

/// <summary>An app's own type that holds an SDK record.</summary>
internal sealed record SavedStop(StopWebhookRequest Request, int Count);

/// <summary>An app's own System.Text.Json context, made by System.Text.Json's generator.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(SavedStop))]
internal sealed partial class AppJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
