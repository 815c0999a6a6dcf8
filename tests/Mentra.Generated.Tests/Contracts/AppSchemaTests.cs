using System.Text.Json;
using Mentra.Generated.Tests.AppWebhooks;
using Xunit;
using static Mentra.Generated.Tests.Contracts.PayloadTests;

namespace Mentra.Generated.Tests.Contracts;

/// <summary>
/// This test project supplies its own schema (AppSchema/notes.webhooks.schema.json). Its types are generated
/// into the project's namespace by the same generator, next to the SDK's types from the runtime assembly.
/// </summary>
public sealed class AppSchemaTests
{
    private const string Full = """
        {"toolId":"add_note","userId":"alice@example.com","timestamp":"2026-06-27T21:54:26.123Z",
         "toolParameters":{"text":"buy milk","tags":["high","someday"]},
         "attempts":3,"confidence":0.75,"urgent":true,"labels":["a","b"],"priority":"low"}
        """;

    [Fact]
    public void App_types_read_every_kind_of_property()
    {
        ToolCallRequest request = JsonSerializer.Deserialize(Full, NotesJsonContext.Default.ToolCallRequest)!;

        Assert.Equal("add_note", request.ToolId);
        Assert.Equal("alice@example.com", request.UserId);
        Assert.Equal("buy milk", request.ToolParameters!.Text);
        Assert.Equal([Priority.High, new Priority("someday")], request.ToolParameters.Tags);
        Assert.Equal(3L, request.Attempts);
        Assert.Equal(0.75, request.Confidence);
        Assert.True(request.Urgent);
        Assert.Equal(["a", "b"], request.Labels);
        Assert.Equal(Priority.Low, request.Priority);
    }

    [Fact]
    public void App_types_write_back_the_same_json_and_compare_lists_by_value()
    {
        ToolCallRequest request = JsonSerializer.Deserialize(Full, NotesJsonContext.Default.ToolCallRequest)!;

        string written = JsonSerializer.Serialize(request, NotesJsonContext.Default.ToolCallRequest);

        AssertSameJson(Full, written);
        Assert.Equal(request, JsonSerializer.Deserialize(written, NotesJsonContext.Default.ToolCallRequest));
        Assert.NotEqual(request, request with { Labels = ["a"] });
    }

    [Fact]
    public void Optional_properties_may_be_absent()
    {
        ToolCallRequest request = JsonSerializer.Deserialize("""{"toolId":"t","userId":"u","timestamp":"x"}""", NotesJsonContext.Default.ToolCallRequest)!;

        Assert.Null(request.ToolParameters);
        Assert.Null(request.Attempts);
        Assert.Null(request.Priority);
        Assert.Equal("""{"toolId":"t","userId":"u","timestamp":"x"}""", JsonSerializer.Serialize(request, NotesJsonContext.Default.ToolCallRequest));
    }

    [Theory]
    [InlineData("""{"toolId":"t","userId":"u","timestamp":"x","attempts":1.5}""", "The property 'attempts' must be an integer, but it is a number.")]
    [InlineData("""{"toolId":"t","userId":"u","timestamp":"x","urgent":"yes"}""", "The property 'urgent' must be true or false, but it is a string.")]
    [InlineData("""{"toolId":"t","userId":"u","timestamp":"x","confidence":"high"}""", "The property 'confidence' must be a number, but it is a string.")]
    [InlineData("""{"toolId":"t","userId":"u","timestamp":"x","toolParameters":{"tags":[null]}}""", "The property 'tags' must not be null.")]
    [InlineData("""{"userId":"u","timestamp":"x"}""", "The required property 'toolId' is missing from the ToolCallRequest.")]
    public void App_types_report_bad_values(string json, string message)
    {
        var exception = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, NotesJsonContext.Default.ToolCallRequest));

        Assert.Equal(message, exception.Message);
    }

    [Fact]
    public void Sdk_and_app_contexts_combine()
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(MentraJsonContext.Default, NotesJsonContext.Default),
        };

        Assert.IsType<StopWebhookRequest>(JsonSerializer.Deserialize<WebhookRequest>(Payload("docs/stop_request.json"), options));
        Assert.Equal("t", JsonSerializer.Deserialize<ToolCallRequest>("""{"toolId":"t","userId":"u","timestamp":"x"}""", options)!.ToolId);
    }
}
