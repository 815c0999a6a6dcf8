using System;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>
/// Connecting a dropped session again: the attempts the options' <see cref="IReconnectPolicy"/> schedules, each within
/// the cloud's grace, and the connection events on the way. The schedule itself is the policy's (<see cref="ReconnectSchedule"/>).
/// </summary>
public sealed partial class AppSession
{
    /// <summary>
    /// After a close that does not end the session: tells the disconnected handlers, then tries again after each delay
    /// the policy gives until a socket is acked, the policy gives up, the cloud refuses, or the grace has passed. Every
    /// attempt, its wait for the ack included, ends within the cloud's grace: past it, the cloud brings the session back
    /// with new webhooks, and a socket of this session would only be refused. Returns the attempt that succeeded (the new
    /// socket is the session's, Connected), or the end when the connection is lost, or neither when the session was ended
    /// from this side.
    /// </summary>
    private async Task<(AppSessionReconnect? Reconnected, AppSessionEnd? Lost)> ReconnectAsync(int? status, string? description)
    {
        if (!TryTransition(AppSessionState.Connected, AppSessionState.Reconnecting))
        {
            return default;
        }

        Log.Reconnecting(_logger, SessionId, status ?? 1006, description ?? string.Empty);
        Enqueue(new SessionWork(null, null, false, Change: new ConnectionChange(new AppSessionDisconnect(status, CloseRules.DropReason(description)), null, null)));
        int attempt = 0;
        AppSessionReconnect? reconnect = null;
        SessionSocket? next = null;
        AppSessionConnectException? last = null;
        long dropped = Stopwatch.GetTimestamp();
        while (_options.Reconnect.NextDelay(new ReconnectContext(attempt, Stopwatch.GetElapsedTime(dropped), last?.Message)) is { } delay)
        {
            if (delay < TimeSpan.Zero || _options.ReconnectGrace - Stopwatch.GetElapsedTime(dropped) - delay <= TimeSpan.Zero)
            {
                break;
            }

            reconnect = new AppSessionReconnect(++attempt, delay, last?.Message);
            Enqueue(new SessionWork(null, null, false, Change: new ConnectionChange(null, reconnect, null)));
            try
            {
                await Task.Delay(delay, _ended.Token).ConfigureAwait(false);
                TimeSpan left = _options.ReconnectGrace - Stopwatch.GetElapsedTime(dropped);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                next = await OpenAsync(_ended.Token, left).ConfigureAwait(false);
                break;
            }
            catch (OperationCanceledException) when (_ended.IsCancellationRequested)
            {
                return default;
            }
            catch (AppSessionConnectException e)
            {
                last = e;
                if (Warn(SessionWarning.ReconnectFailed))
                {
                    Log.ReconnectFailed(_logger, SessionId, e.Message);
                }

                if (e.Error is not null)
                {
                    break; // a refusal is final: the same init would be refused again
                }
            }
        }

        _options.Metrics?.SessionReconnect(next is null ? "lost" : "reconnected");
        if (next is null)
        {
            return (null, new AppSessionEnd(last?.Error is null ? "Connection lost" : "The cloud refused the reconnect", status, last?.Error));
        }

        SessionSocket old = Interlocked.Exchange(ref _socket, next)!;
        await AnswerCloseAsync(old).ConfigureAwait(false);
        old.Dispose();
        if (!TryTransition(AppSessionState.Reconnecting, AppSessionState.Connected))
        {
            // Ended while the reconnect's ack was on its way: the end may have closed only the old socket.
            await CloseQuietlyAsync(next, WebSocketCloseStatus.NormalClosure, End?.Reason ?? string.Empty).ConfigureAwait(false);
            next.Dispose();
            return default;
        }

        Log.Reconnected(_logger, SessionId);
        return (reconnect, null);
    }
}
