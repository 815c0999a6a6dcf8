using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated;

/// <summary>
/// Says at start when the app called <c>AddMentraApp</c> but never mapped the endpoints the cloud calls: without
/// <c>MapMentraWebhooks()</c> every webhook is a 404 and the cloud's session requests fail without a line in the log.
/// Checked once the host has started, so that endpoints mapped late (in a <c>Startup</c> class) count.
/// </summary>
internal sealed class EndpointCheck(IHostApplicationLifetime lifetime, ILogger<EndpointCheck> logger) : IHostedService
{
    private readonly ILogger _logger = logger;
    private int _mapped;

    /// <summary>Called by <c>MapMentraWebhooks</c>.</summary>
    public void Mapped() => Volatile.Write(ref _mapped, 1);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(static state =>
        {
            var check = (EndpointCheck)state!;
            if (Volatile.Read(ref check._mapped) == 0)
            {
                Log.EndpointsNotMapped(check._logger);
            }
        }, this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
