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
        SessionStarted(logger, count, request.ResolvedWebSocketUrl);
        return Task.CompletedTask;
    }

    [OnStop]
    public void Stop(string sessionId, StopReason reason)
    {
        SessionStopped(logger, reason.Value, reason.IsKnown);
    }

    // Source-generated log methods check the level before they format or box anything.
    [LoggerMessage(1, LogLevel.Information, "Session {Count} for this user, WebSocket {Url}")]
    private static partial void SessionStarted(ILogger logger, int count, string? url);

    [LoggerMessage(2, LogLevel.Information, "Session stopped: {Reason} (known reason: {Known})")]
    private static partial void SessionStopped(ILogger logger, string reason, bool known);
}
