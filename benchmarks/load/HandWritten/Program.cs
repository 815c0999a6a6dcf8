using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using Mentra.Generated.Benchmarks.HandWritten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

// A webhook server written by hand: read the polymorphic request, switch on its type, track sessions, answer.
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
WebApplication app = builder.Build();
var sessions = new ConcurrentDictionary<string, string>();
app.MapPost("/webhook", (RequestDelegate)(async context =>
{
    BaseRequest? request;
    try
    {
        request = await context.Request.ReadFromJsonAsync(HandWrittenJsonContext.Default.BaseRequest, context.RequestAborted);
    }
    catch (JsonException e)
    {
        context.Response.StatusCode = 400;
        await context.Response.WriteAsJsonAsync(new Reply("error", e.Message), ReplyJsonContext.Default.Reply);
        return;
    }

    switch (request)
    {
        case SessionRequest session:
            sessions[session.SessionId] = session.UserId;
            break;
        case StopRequest stop:
            sessions.TryRemove(stop.SessionId, out _);
            break;
    }

    await context.Response.WriteAsJsonAsync(Reply.Success, ReplyJsonContext.Default.Reply);
}));
app.MapGet("/health", () => Results.Json(new Reply("healthy", null), ReplyJsonContext.Default.Reply));
app.Run();

internal sealed record Reply(string Status, string? Message)
{
    public static readonly Reply Success = new("success", null);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Reply))]
internal sealed partial class ReplyJsonContext : JsonSerializerContext;
