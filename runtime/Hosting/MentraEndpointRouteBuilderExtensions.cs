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
            endpoints.MapGet(options.HealthPath, (RequestDelegate)endpoints.ServiceProvider.GetRequiredService<HealthEndpoint>().HandleAsync).WithDisplayName(EndpointCheck.HealthDisplayName).ShortCircuit();
        }

        if (endpoints.ServiceProvider.GetRequiredService<Sessions.AppSessionManager>().Enabled)
        {
            endpoints.MapPost(options.PhotoUploadPath, (RequestDelegate)endpoints.ServiceProvider.GetRequiredService<PhotoUploadEndpoint>().HandleAsync).WithDisplayName("MentraOS photo upload").ShortCircuit();
        }

        endpoints.MapPost(options.SettingsPath, (RequestDelegate)endpoints.ServiceProvider.GetRequiredService<SettingsEndpoint>().HandleAsync).WithDisplayName("MentraOS settings push").ShortCircuit();
        if (endpoints.ServiceProvider.GetRequiredService<IWebhookDispatcher>().Tools is not null)
        {
            ToolEndpoint tools = endpoints.ServiceProvider.GetRequiredService<ToolEndpoint>();
            endpoints.MapPost(options.ToolPath, (RequestDelegate)tools.HandleAsync).WithDisplayName("MentraOS tool call").ShortCircuit();
            endpoints.MapGet(options.ToolPath, (RequestDelegate)tools.HelloAsync).WithDisplayName("MentraOS tool endpoint check").ShortCircuit();
            endpoints.MapGet(options.ToolPath.TrimEnd('/') + "/definitions", (RequestDelegate)tools.DefinitionsAsync).WithDisplayName("MentraOS tool definitions").ShortCircuit();
        }

        return ShortCircuitUnlessConfigured(endpoints.MapPost(options.WebhookPath, (RequestDelegate)endpoint.HandleAsync).WithDisplayName("MentraOS webhook"));
    }

    /// <summary>
    /// The webhook endpoint runs as soon as routing has matched it, past the rest of the pipeline (ASP.NET Core's
    /// <c>ShortCircuit()</c>): the cloud's webhooks carry no credential, and an app's authentication (its webview's) would
    /// otherwise make a service scope and run its handlers for each of them, 15-25% of the webhook's throughput. When the
    /// app adds conventions of its own to the endpoint (authorization, rate limiting, ...), which its middleware must see,
    /// the endpoint goes through the whole pipeline as any other.
    /// </summary>
    private static IEndpointConventionBuilder ShortCircuitUnlessConfigured(IEndpointConventionBuilder webhook)
    {
        webhook.ShortCircuit();
        int own = -1;
        webhook.Add(builder => own = builder.Metadata.Count);
        webhook.Finally(builder =>
        {
            if (builder.Metadata.Count != own)
            {
                for (int i = builder.Metadata.Count - 1; i >= 0; i--)
                {
                    if (builder.Metadata[i].GetType().Name == "ShortCircuitMetadata")
                    {
                        builder.Metadata.RemoveAt(i);
                    }
                }
            }
        });
        return webhook;
    }
}
