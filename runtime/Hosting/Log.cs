using System;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated;

/// <summary>The SDK's log events: one event id per kind of event, and never a payload's secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Received a {WebhookType} webhook")]
    public static partial void Received(ILogger logger, string webhookType);

    [LoggerMessage(2, LogLevel.Warning, "Rejected a webhook with {StatusCode}: {Reason}")]
    public static partial void Rejected(ILogger logger, int statusCode, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Rejected a {WebhookType} webhook whose WebSocket URL cannot be trusted: {Reason}. It may be forged; no handler was called")]
    public static partial void UntrustedWebSocketUrl(ILogger logger, string webhookType, string reason);

    [LoggerMessage(4, LogLevel.Error, "The handler for a {WebhookType} webhook threw; the sender was answered 500")]
    public static partial void HandlerFailed(ILogger logger, string webhookType, Exception exception);

    [LoggerMessage(5, LogLevel.Information, "The handler for a {WebhookType} webhook answered an error: {Message}")]
    public static partial void HandlerRefused(ILogger logger, string webhookType, string? message);

    [LoggerMessage(6, LogLevel.Information, "The sender of a {WebhookType} webhook went away before its handler finished")]
    public static partial void SenderGone(ILogger logger, string webhookType);

    [LoggerMessage(7, LogLevel.Information, "Session started ({ActiveSessions} active)")]
    public static partial void SessionStarted(ILogger logger, int activeSessions);

    [LoggerMessage(8, LogLevel.Information, "Session started again, replacing the earlier one with its id ({ActiveSessions} active)")]
    public static partial void SessionReplaced(ILogger logger, int activeSessions);

    [LoggerMessage(9, LogLevel.Information, "Session stopped ({ActiveSessions} active)")]
    public static partial void SessionStopped(ILogger logger, int activeSessions);
}
