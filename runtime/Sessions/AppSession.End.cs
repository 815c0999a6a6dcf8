using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Sessions;

/// <summary>The end of the session, once, however it ends: the socket closed, the handlers stopped, the end handlers run.</summary>
public sealed partial class AppSession
{
    /// <summary>Ends the session from this side: the stop webhook, a takeover, an explicit stop or the host's shutdown.</summary>
    internal Task StopAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release) =>
        EndAsync(end, runStopHandler, release);

    /// <summary>
    /// Ends the session, once: the first caller's end is the session's, and every caller (a stop webhook, the receive loop,
    /// the host's shutdown) returns when the end's work is done, its handlers and the stop handler included.
    /// </summary>
    private Task EndAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _ending, done.Task, null) is { } running)
        {
            return running;
        }

        return RunEndAsync(end, runStopHandler, release, done);
    }

    private Task? _ending;

    private async Task RunEndAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release, TaskCompletionSource done)
    {
        try
        {
            await EndCoreAsync(end, runStopHandler, release).ConfigureAwait(false);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private async Task EndCoreAsync(AppSessionEnd end, bool runStopHandler, OwnershipReleaseReason? release)
    {
        Volatile.Write(ref _end, end);
        // A full fence: a connect that sets its socket and then fails its transition, and this end that sets the state
        // and then reads the socket, cannot both miss each other, so one of the two closes the socket.
        Interlocked.Exchange(ref _state, (int)AppSessionState.Ended);
        SessionSocket? socket = Volatile.Read(ref _socket);
        if (socket is { State: WebSocketState.Open })
        {
            if (release is { } reason)
            {
                try
                {
                    await SendOnAsync(socket, new OwnershipRelease { PackageName = PackageName, SessionId = SessionId, Reason = reason, Timestamp = Now() }, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketException or IOException or SocketException or ObjectDisposedException)
                {
                }
            }

            await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, end.Reason).ConfigureAwait(false);
        }
        else if (socket is not null)
        {
            await AnswerCloseAsync(socket).ConfigureAwait(false);
        }

        _ended.Cancel();
        _keepAlive?.Dispose();
        socket?.Dispose();
        CloseQueue();
        Interlocked.Exchange(ref _connected, null)?.TrySetResult();
        FailPending(end);
        await WaitForWorkerAsync().ConfigureAwait(false);
        foreach (Func<AppSession, AppSessionEnd, ValueTask> handler in EndedHandlers)
        {
            await Invoke(handler(this, end), "ended").ConfigureAwait(false);
        }

        ReportSkippedWarnings();
        Interlocked.Exchange(ref _finished, 1);
        Volatile.Read(ref _endedTask)?.TrySetResult(end);
        if (_onEnded is { } onEnded)
        {
            await onEnded(this, end, runStopHandler).ConfigureAwait(false);
        }

        // After the stop handler, which may still write: what the session wrote reaches the cloud before the end returns.
        await ReleaseStorageAsync().ConfigureAwait(false);
    }

    /// <summary>Completes the closing handshake the cloud started, echoing its code, so that its side sees a clean close.</summary>
    private static Task AnswerCloseAsync(SessionSocket socket) =>
        socket.State == WebSocketState.CloseReceived
            ? CloseQuietlyAsync(socket, (WebSocketCloseStatus)(socket.CloseStatus ?? (int)WebSocketCloseStatus.NormalClosure), socket.CloseStatusDescription ?? string.Empty)
            : Task.CompletedTask;

    private static async Task CloseQuietlyAsync(SessionSocket socket, WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
