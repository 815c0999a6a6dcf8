using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mentra.Generated;

/// <summary>
/// Checks the endpoints once the host has started (so that endpoints mapped late, in a <c>Startup</c> class, count) and
/// says what would otherwise fail in silence: <c>AddMentraApp</c> without <c>MapMentraWebhooks()</c> (every webhook of
/// the cloud a 404), and another endpoint on the SDK's health path (an app's own <c>MapHealthChecks("/health")</c>, which
/// the SDK's endpoint shadows).
/// </summary>
internal sealed class EndpointCheck(IHostApplicationLifetime lifetime, IServiceProvider services, IOptions<MentraOptions> options, ILogger<EndpointCheck> logger) : IHostedService
{
    /// <summary>The display name of the SDK's health endpoint, to tell it from an app's own on the same path.</summary>
    internal const string HealthDisplayName = "MentraOS health";

    private readonly ILogger _logger = logger;
    private int _mapped;

    /// <summary>Whether <c>MapMentraWebhooks</c> has been called.</summary>
    public bool IsMapped => Volatile.Read(ref _mapped) == 1;

    /// <summary>Called by <c>MapMentraWebhooks</c>.</summary>
    public void Mapped() => Volatile.Write(ref _mapped, 1);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(static state => ((EndpointCheck)state!).Check(), this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Check()
    {
        if (!IsMapped)
        {
            Log.EndpointsNotMapped(_logger);
            return;
        }

        MentraOptions settings = options.Value;
        if (!settings.EnableHealthEndpoint || services.GetService<EndpointDataSource>() is not { } endpoints)
        {
            return;
        }

        string path = Normalize(settings.HealthPath);
        foreach (RouteEndpoint other in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            if (other.DisplayName == HealthDisplayName || other.RoutePattern.RawText is not { } raw || Normalize(raw) != path)
            {
                continue;
            }

            IHttpMethodMetadata? methods = other.Metadata.GetMetadata<IHttpMethodMetadata>();
            if (methods is null || methods.HttpMethods.Count == 0 || methods.HttpMethods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase))
            {
                Log.HealthPathTaken(_logger, path, other.DisplayName ?? raw);
            }
        }
    }

    private static string Normalize(string path) => "/" + path.Trim().Trim('/').ToLowerInvariant();
}
