using System.Buffers;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Mentra.Generated;

/// <summary>
/// <c>GET /health</c>, as the cloud polls it: <c>{"status":"healthy","app":...,"activeSessions":n}</c>, never cached.
/// </summary>
/// <remarks>
/// Among several replicas whose sessions connect, the count is the cluster's (see the coordinator), so that each replica
/// reports the same.
/// </remarks>
internal sealed class HealthEndpoint(IActiveSessions sessions, Sessions.AppSessionManager manager, IOptions<MentraOptions> options)
{
    private readonly string _packageName = options.Value.PackageName ?? string.Empty;

    public Task HandleAsync(HttpContext context)
    {
        if (manager.Coordinator.Distributed && manager.Enabled)
        {
            return HandleClusterAsync(context); // leases are of sessions with sockets: without them, each replica counts its own
        }

        Write(context, sessions.Count);
        return Task.CompletedTask;
    }

    private async Task HandleClusterAsync(HttpContext context) => Write(context, await manager.Coordinator.CountAsync(sessions.Count).ConfigureAwait(false));

    private void Write(HttpContext context, int count)
    {
        var json = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("status"u8, "healthy"u8);
            writer.WriteString("app"u8, _packageName);
            writer.WriteNumber("activeSessions"u8, count);
            writer.WriteEndObject();
        }

        context.Response.Headers.CacheControl = "no-store";
        WebhookEndpoint.Write(context, StatusCodes.Status200OK, json.WrittenSpan);
    }
}
