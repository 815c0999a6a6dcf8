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

/// <summary>
/// Handlers of webhook types from this project's own schema (AppSchema/notes.webhooks.schema.json), whose attributes
/// and records the generator writes in this same compilation.
/// </summary>
[MentraApp]
public partial class NotesApp
{
    [OnSession]
    public static void Start(string sessionId, Recorder recorder) => recorder.Add($"session {sessionId}");

    [OnStop]
    public static void Stop(string sessionId, Recorder recorder) => recorder.Add($"stop {sessionId}");

    [AppWebhooks.OnNoteSaved]
    public static WebhookResponse Saved(string text, AppWebhooks.NoteSavedWebhookRequest request, string priority, long? wordCount, System.Collections.Generic.IReadOnlyList<string>? tags, Recorder recorder, CancellationToken cancellationToken)
    {
        recorder.Add($"saved {text} {priority} {wordCount} {tags?.Count} {request.SessionId} token:{cancellationToken.CanBeCanceled}");
        return WebhookResponse.Error("kept " + text);
    }
}

/// <summary>An instance app binding an app-schema type by its base record, an enumeration and a scoped service.</summary>
[MentraApp]
public partial class NotesInstanceApp(Recorder recorder)
{
    [OnSession]
    public void Start() => recorder.Add("session");

    [OnStop]
    public void Stop() => recorder.Add("stop");

    [AppWebhooks.OnNoteDeleted]
    public async Task Deleted(AppWebhooks.NotesWebhookRequest request, string noteId, ScopedProbe probe)
    {
        await Task.Yield();
        recorder.Add($"deleted {noteId} {request.Type} {request.GetType().Name} probe:{!probe.Disposed}");
    }

    [AppWebhooks.OnNoteSaved]
    public ValueTask<WebhookResponse> Saved(AppWebhooks.Priority priority, long? wordCount)
    {
        recorder.Add($"saved {priority == AppWebhooks.Priority.High} {wordCount is null}");
        return ValueTask.FromResult(WebhookResponse.Success);
    }
}
