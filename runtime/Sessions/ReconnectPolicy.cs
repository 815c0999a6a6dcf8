using System;
using System.Collections.Generic;
using System.Linq;

namespace Mentra.Generated.Sessions;

/// <summary>
/// When a session whose socket dropped tries to connect again (SignalR's <c>IRetryPolicy</c> is the model). Set one
/// with <see cref="MentraOptions.ReconnectPolicy"/>; the default is <see cref="ReconnectSchedule.Default"/>. Whatever
/// the policy says, no attempt starts, and none waits for its ack, past <see cref="MentraOptions.ReconnectGrace"/>
/// after the drop: the cloud then brings the session back with new webhooks instead.
/// </summary>
public interface IReconnectPolicy
{
    /// <summary>The wait before the next attempt, or null to stop trying (the session then ends: <c>Connection lost</c>).</summary>
    TimeSpan? NextDelay(ReconnectContext context);
}

/// <summary>What a <see cref="IReconnectPolicy"/> knows when it decides the next attempt.</summary>
/// <param name="PreviousAttempts">How many attempts were made since the drop (0 before the first).</param>
/// <param name="Elapsed">The time since the drop.</param>
/// <param name="LastFailure">Why the last attempt failed; null before the first.</param>
public readonly record struct ReconnectContext(int PreviousAttempts, TimeSpan Elapsed, string? LastFailure);

/// <summary>A fixed list of waits, one attempt after each.</summary>
public sealed class ReconnectSchedule : IReconnectPolicy
{
    /// <summary>
    /// 0.25 s, 1 s and 2 s: the last attempt starts about 3.3 s after the drop, within the cloud's 5 s grace period.
    /// The TypeScript SDK waits 1, 2 and 4 s, so its last attempt comes after the cloud has given up on the socket.
    /// </summary>
    public static ReconnectSchedule Default { get; } = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

    /// <summary>A schedule of these waits, in order; none is negative.</summary>
    public ReconnectSchedule(params TimeSpan[] delays)
    {
        ArgumentNullException.ThrowIfNull(delays);
        if (delays.Any(d => d < TimeSpan.Zero))
        {
            throw new ArgumentOutOfRangeException(nameof(delays), "A wait before a reconnect attempt is not negative.");
        }

        Delays = [.. delays];
    }

    /// <summary>The waits, in order.</summary>
    public IReadOnlyList<TimeSpan> Delays { get; }

    /// <summary>The sum of the waits: when the last attempt starts, at the earliest, after the drop.</summary>
    public TimeSpan Total => Delays.Aggregate(TimeSpan.Zero, (sum, d) => sum + d);

    /// <inheritdoc/>
    public TimeSpan? NextDelay(ReconnectContext context) => context.PreviousAttempts < Delays.Count ? Delays[context.PreviousAttempts] : null;
}
