using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated.Sample;

/// <summary>
/// The sample app: counts how many sessions each user has started, and logs every stop with its reason.
/// The generator binds each webhook to a method here; <see cref="SessionCounter"/> comes from DI.
/// </summary>
[MentraApp]
public partial class SessionCounterApp(SessionCounter counter, ILogger<SessionCounterApp> logger)
{
    [OnSession]
    public Task StartAsync(SessionWebhookRequest request, CancellationToken cancellationToken)
    {
        int count = counter.Increment(request.UserId);
        logger.LogInformation("Session {Count} for this user, WebSocket {Url}", count, request.ResolvedWebSocketUrl);
        return Task.CompletedTask;
    }

    [OnStop]
    public void Stop(string sessionId, StopReason reason)
    {
        logger.LogInformation("Session stopped: {Reason} (known reason: {Known})", reason.Value, reason.IsKnown);
    }
}
