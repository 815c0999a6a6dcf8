using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>What the hosting tests' handlers saw.</summary>
public sealed class HostingProbe
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public TaskCompletionSource<bool> HandlerCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource HandlerStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Handlers for every type. The session handler's behaviour follows the user id: <c>throw</c> throws,
/// <c>refuse</c> answers an error, <c>slow</c> waits until cancelled; anything else succeeds.
/// </summary>
[MentraApp]
public partial class HostingApp(HostingProbe probe)
{
    [OnSession]
    public async Task<WebhookResponse> Start(string sessionId, string userId, CancellationToken cancellationToken)
    {
        probe.Calls.Enqueue("session " + sessionId);
        switch (userId)
        {
            case "throw":
                throw new InvalidOperationException("database password is hunter2");
            case "refuse":
                return WebhookResponse.Error("Failed to create session: Invalid configuration");
            case "slow":
                probe.HandlerStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    probe.HandlerCancelled.TrySetResult(true);
                    throw;
                }

                return WebhookResponse.Success;
            default:
                return WebhookResponse.Success;
        }
    }

    [OnStop]
    public void Stop(string sessionId, StopReason reason) => probe.Calls.Enqueue($"stop {sessionId} {reason}");

    [OnServerRegistration]
    public void Register(string registrationId) => probe.Calls.Enqueue("registration " + registrationId);

    [OnServerHeartbeat]
    public void Heartbeat(string registrationId) => probe.Calls.Enqueue("heartbeat " + registrationId);

    [OnSessionRecovery]
    public WebhookResponse Recover(string sessionId)
    {
        probe.Calls.Enqueue("recovery " + sessionId);
        return new WebhookResponse { Status = WebhookResponseStatus.Success, Message = "recovered" };
    }
}
