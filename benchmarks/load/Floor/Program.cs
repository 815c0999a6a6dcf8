using System.Buffers;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

// The fastest a webhook endpoint can be on this stack: no reading, no parsing, no work, a constant answer.
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
WebApplication app = builder.Build();
byte[] success = """{"status":"success"}"""u8.ToArray();
app.MapPost("/webhook", (RequestDelegate)(context =>
{
    // The cheapest way to answer: the length up front and no flush, so headers and body leave in one write.
    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = success.Length;
    context.Response.BodyWriter.Write(success);
    return Task.CompletedTask;
}));
app.MapGet("/health", () => Results.Text("""{"status":"healthy"}""", "application/json"));
app.Run();
