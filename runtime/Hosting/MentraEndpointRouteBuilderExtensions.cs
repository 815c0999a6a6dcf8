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
    /// Maps <c>POST /webhook</c> and, unless turned off, <c>GET /health</c> (paths from <see cref="MentraOptions"/>).
    /// Returns the webhook endpoint's builder, so that authorization, rate limiting and other conventions apply
    /// to it; the health endpoint stays open, as the cloud's health poll carries no credentials.
    /// </summary>
    public static IEndpointConventionBuilder MapMentraWebhooks(this IEndpointRouteBuilder endpoints)
    {
        MentraOptions options = endpoints.ServiceProvider.GetRequiredService<IOptions<MentraOptions>>().Value;
        WebhookEndpoint endpoint = endpoints.ServiceProvider.GetRequiredService<WebhookEndpoint>();
        if (options.EnableHealthEndpoint)
        {
            endpoints.MapGet(options.HealthPath, (RequestDelegate)endpoint.HealthAsync).WithDisplayName("MentraOS health");
        }

        return endpoints.MapPost(options.WebhookPath, (RequestDelegate)endpoint.HandleAsync).WithDisplayName("MentraOS webhook");
    }
}
