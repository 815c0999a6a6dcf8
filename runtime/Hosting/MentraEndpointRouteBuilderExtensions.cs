using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mentra.Generated;

/// <summary>Maps the endpoints MentraOS Cloud calls.</summary>
public static class MentraEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST /webhook</c>, unless turned off <c>GET /health</c>, when app sessions connect
    /// <c>POST /photo-upload</c>, the cloud's settings push <c>POST /settings</c>, and when the app has
    /// <c>[OnToolCall]</c> methods <c>POST /tool</c> (with <c>GET /tool</c> and <c>GET /tool/definitions</c>); paths
    /// from <see cref="MentraOptions"/>. Returns the webhook endpoint's builder, so that
    /// authorization, rate limiting and other conventions apply to it; the health endpoint stays open, as the cloud's
    /// health poll carries no credentials, and so does the photo upload, which the glasses make without credentials and
    /// which accepts only a photo this server asked for (by its random request id), the settings push, which the cloud sends
    /// without credentials, and the tool call, which checks the app's key itself.
    /// </summary>
    public static IEndpointConventionBuilder MapMentraWebhooks(this IEndpointRouteBuilder endpoints)
    {
        MentraOptions options = endpoints.ServiceProvider.GetRequiredService<IOptions<MentraOptions>>().Value;
        WebhookEndpoint endpoint = endpoints.ServiceProvider.GetRequiredService<WebhookEndpoint>();
        endpoints.ServiceProvider.GetRequiredService<EndpointCheck>().Mapped();
        if (options.EnableHealthEndpoint)
        {
            endpoints.MapGet(options.HealthPath, (RequestDelegate)endpoints.ServiceProvider.GetRequiredService<HealthEndpoint>().HandleAsync).WithDisplayName(EndpointCheck.HealthDisplayName);
        }

        if (endpoints.ServiceProvider.GetRequiredService<Sessions.AppSessionManager>().Enabled)
        {
            endpoints.MapPost(options.PhotoUploadPath, (RequestDelegate)endpoints.ServiceProvider.GetRequiredService<PhotoUploadEndpoint>().HandleAsync).WithDisplayName("MentraOS photo upload");
        }

        endpoints.MapPost(options.SettingsPath, (RequestDelegate)endpoints.ServiceProvider.GetRequiredService<SettingsEndpoint>().HandleAsync).WithDisplayName("MentraOS settings push");
        if (endpoints.ServiceProvider.GetRequiredService<IWebhookDispatcher>().Tools is not null)
        {
            ToolEndpoint tools = endpoints.ServiceProvider.GetRequiredService<ToolEndpoint>();
            endpoints.MapPost(options.ToolPath, (RequestDelegate)tools.HandleAsync).WithDisplayName("MentraOS tool call");
            endpoints.MapGet(options.ToolPath, (RequestDelegate)tools.HelloAsync).WithDisplayName("MentraOS tool endpoint check");
            endpoints.MapGet(options.ToolPath.TrimEnd('/') + "/definitions", (RequestDelegate)tools.DefinitionsAsync).WithDisplayName("MentraOS tool definitions");
        }

        return endpoints.MapPost(options.WebhookPath, (RequestDelegate)endpoint.HandleAsync).WithDisplayName("MentraOS webhook");
    }
}
