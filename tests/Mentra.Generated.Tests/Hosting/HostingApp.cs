using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>What the hosting tests' handlers saw, and how they behave.</summary>
public sealed class HostingProbe
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public TaskCompletionSource<bool> HandlerCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource HandlerStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Records the call, then behaves as the session id says: <c>throw</c> throws, <c>refuse</c> answers an
    /// error, <c>invalid</c> blames the sender, anything else succeeds with <paramref name="success"/>.
    /// </summary>
    public WebhookResponse Behave(string call, string sessionId, WebhookResponse? success = null)
    {
        Calls.Enqueue(call);
        return sessionId switch
        {
            "throw" => throw new InvalidOperationException("database password is hunter2"),
            "refuse" => WebhookResponse.Error("Failed to create session: Invalid configuration"),
            "invalid" => WebhookResponse.InvalidRequest("The session id 'invalid' is not one this app issued"),
            _ => success ?? WebhookResponse.Success,
        };
    }
}

/// <summary>Handlers for every type, each behaving as <see cref="HostingProbe.Behave"/> says; user <c>slow</c> waits until cancelled.</summary>
[MentraApp]
public partial class HostingApp(HostingProbe probe)
{
    [OnSession]
    public async Task<WebhookResponse> Start(string sessionId, string userId, CancellationToken cancellationToken)
    {
        if (userId == "slow")
        {
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
        }

        return probe.Behave("session " + sessionId, sessionId);
    }

    [OnStop]
    public WebhookResponse Stop(string sessionId, StopReason reason) => probe.Behave($"stop {sessionId} {reason}", sessionId);

    [OnServerRegistration]
    public WebhookResponse Register(string sessionId, string registrationId) => probe.Behave("registration " + registrationId, sessionId);

    [OnServerHeartbeat]
    public ValueTask<WebhookResponse> Heartbeat(string sessionId, string registrationId) => ValueTask.FromResult(probe.Behave("heartbeat " + registrationId, sessionId));

    [OnSessionRecovery]
    public WebhookResponse Recover(string sessionId) =>
        probe.Behave("recovery " + sessionId, sessionId, new WebhookResponse { Status = WebhookResponseStatus.Success, Message = "recovered" });

    /// <summary>A type of this project's own schema (AppSchema/notes.webhooks.schema.json).</summary>
    [AppWebhooks.OnNoteSaved]
    public WebhookResponse Saved(string sessionId, string text) => probe.Behave("saved " + text, sessionId);
}
