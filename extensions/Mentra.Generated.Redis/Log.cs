using System;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated.Redis;

/// <summary>The Redis coordinator's log events (category <c>Mentra.Generated.Redis</c>), never a key or a payload.</summary>
internal static partial class Log
{
    [LoggerMessage(60, LogLevel.Information, "Replica {ReplicaId} coordinates its sessions through Redis (connected: {Connected})")]
    public static partial void Started(ILogger logger, string replicaId, bool connected);

    [LoggerMessage(61, LogLevel.Warning, "Redis is unreachable ({Error}: {Message}); this replica answers on its own, and keeps the sessions it holds until their lease would end")]
    public static partial void Unreachable(ILogger logger, string error, string message);

    [LoggerMessage(62, LogLevel.Warning, "No lease could be renewed for {Seconds} s: this replica closes its {Count} sessions without release, so that the cloud brings them back on a live replica")]
    public static partial void CutOff(ILogger logger, int count, double seconds);

    [LoggerMessage(63, LogLevel.Information, "Session {SessionId} is now this replica's; replica {Replica} was told to release it")]
    public static partial void TookOver(ILogger logger, string sessionId, string replica);

    [LoggerMessage(64, LogLevel.Information, "A {Kind} call was for replica {Replica}, which is gone; answered here")]
    public static partial void OwnerGone(ILogger logger, string kind, string replica);

    [LoggerMessage(65, LogLevel.Warning, "A {Kind} call forwarded to replica {Replica} had no answer in {Seconds} s; answered 504")]
    public static partial void ForwardTimedOut(ILogger logger, string kind, string replica, double seconds);

    [LoggerMessage(66, LogLevel.Error, "Answering a {Kind} call another replica forwarded failed")]
    public static partial void AnswerFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(67, LogLevel.Warning, "The cluster's count of sessions is unavailable ({Message}); /health reports this replica's {Count}")]
    public static partial void CountUnavailable(ILogger logger, int count, string message);

    [LoggerMessage(68, LogLevel.Error, "Renewing the leases failed")]
    public static partial void RenewFailed(ILogger logger, Exception exception);
}
