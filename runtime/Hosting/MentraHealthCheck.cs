using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Mentra.Generated;

/// <summary>
/// The SDK's state as an ASP.NET Core health check, named <c>mentra</c>, which <c>AddMentraApp</c> registers: an app's own
/// <c>MapHealthChecks("/healthz")</c> (or a Kubernetes probe on it) then reports it beside the app's checks. Unhealthy when
/// the endpoints the cloud calls are not mapped; healthy otherwise, with the package name and the active sessions. The
/// cloud's own poll stays at <c>/health</c>, in the JSON it expects.
/// </summary>
internal sealed class MentraHealthCheck(IActiveSessions sessions, EndpointCheck endpoints, IOptions<MentraOptions> options) : IHealthCheck
{
    /// <summary>The name the check is registered under.</summary>
    public const string Name = "mentra";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        int active = sessions.Count; // once: counting takes the registry's lock and drops its expired entries
        var data = new Dictionary<string, object>
        {
            ["packageName"] = options.Value.PackageName ?? string.Empty,
            ["activeSessions"] = active,
        };
        return Task.FromResult(endpoints.IsMapped
            ? HealthCheckResult.Healthy($"{active} active session(s)", data)
            : HealthCheckResult.Unhealthy("MapMentraWebhooks() was not called: the cloud cannot reach the app's webhook", data: data));
    }
}
