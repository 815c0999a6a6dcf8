using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Tests.Dispatch;

/// <summary>What handlers saw, for the tests to read back.</summary>
public sealed class Recorder
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentQueue<ScopedProbe> Probes { get; } = new();

    public void Add(string call) => Calls.Enqueue(call);
}

/// <summary>A scoped service: one per webhook, disposed after it.</summary>
public sealed class ScopedProbe : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}

/// <summary>Every handler, each with another supported signature; created per webhook with constructor injection.</summary>
[MentraApp]
public partial class AllHandlersApp(Recorder recorder, ScopedProbe probe)
{
    [OnSession]
    public Task HandleSession(string userId, CancellationToken cancellationToken, string sessionId, ScopedProbe scoped)
    {
        recorder.Probes.Enqueue(scoped);
        recorder.Add($"session {sessionId} {userId} same-probe:{ReferenceEquals(scoped, probe)} token:{cancellationToken.CanBeCanceled}");
        return Task.Delay(1, cancellationToken);
    }

    [OnStop]
    public void HandleStop(StopWebhookRequest request, string reason)
    {
        recorder.Add($"stop {request.SessionId} {reason}");
    }

    [OnServerRegistration]
    public static WebhookResponse Register(ServerRegistrationWebhookRequest request, Recorder recorder)
    {
        recorder.Add($"registration {request.RegistrationId} {request.ServerUrls.Count}");
        return WebhookResponse.Error("registration refused");
    }

    [OnServerHeartbeat]
    public ValueTask Heartbeat(string registrationId)
    {
        recorder.Add($"heartbeat {registrationId}");
        return ValueTask.CompletedTask;
    }

    [OnSessionRecovery]
    public async Task<WebhookResponse> Recover(SessionRecoveryWebhookRequest request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        recorder.Add($"recovery {request.ResolvedWebSocketUrl}");
        return new WebhookResponse { Status = WebhookResponseStatus.Success, Message = "recovered" };
    }

    [OnUnknownWebhook]
    public ValueTask<WebhookResponse> Unknown(UnknownWebhookRequest request, WebhookRequestType type)
    {
        recorder.Add($"unknown {type} {request.Json.GetProperty("extra").GetString()}");
        return ValueTask.FromResult(WebhookResponse.Success);
    }
}

/// <summary>Only the two handlers every app needs, both static.</summary>
[MentraApp]
public partial class MinimalApp
{
    [OnSession]
    public static void Start(SessionWebhookRequest request, Recorder recorder) =>
        recorder.Add($"session {request.Type} {request.SessionId} {request.ResolvedWebSocketUrl}");

    [OnStop]
    public static Task<WebhookResponse> Stop(string sessionId, Recorder recorder)
    {
        recorder.Add($"stop {sessionId}");
        return Task.FromResult(WebhookResponse.Success);
    }
}

/// <summary>A handler that throws, and one that returns null.</summary>
[MentraApp]
public partial class FaultyApp
{
    [OnSession]
    public static async Task Start(string sessionId)
    {
        await Task.Yield();
        throw new InvalidOperationException("secret detail " + sessionId);
    }

    [OnStop]
    public static WebhookResponse? Stop() => null;
}

/// <summary>An app that owns a resource: it is disposed after each webhook.</summary>
[MentraApp]
public sealed partial class DisposableApp(Recorder recorder) : IAsyncDisposable
{
    [OnSession]
    public void Start(string sessionId) => recorder.Add($"start {sessionId}");

    [OnStop]
    public ValueTask<WebhookResponse> Stop(StopReason reason)
    {
        recorder.Add($"stop {reason == StopReason.UserDisabled}");
        return ValueTask.FromResult(WebhookResponse.Error("not stopping"));
    }

    public ValueTask DisposeAsync()
    {
        recorder.Add("disposed");
        return ValueTask.CompletedTask;
    }
}
