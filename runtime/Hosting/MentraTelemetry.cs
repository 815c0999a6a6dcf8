using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mentra.Generated;

/// <summary>
/// The SDK's traces and metrics, named <c>Mentra.Generated</c> for OpenTelemetry
/// (<c>AddSource("Mentra.Generated")</c>, <c>AddMeter("Mentra.Generated")</c>).
/// </summary>
public static class MentraTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/>.</summary>
    public const string Name = "Mentra.Generated";

    internal static readonly ActivitySource ActivitySource = new(Name);
}

/// <summary>
/// The SDK's instruments, created from the host's <see cref="IMeterFactory"/>: webhooks and app sessions. One pattern,
/// as OpenTelemetry's naming guidance has it: <c>mentra.&lt;area&gt;[.&lt;part&gt;].&lt;what&gt;</c> with singular
/// areas (<c>webhook</c>, <c>session</c>, <c>handler</c>), and a plural only for what a counter counts.
/// </summary>
internal sealed class MentraMetrics
{
    private readonly Counter<long> _received;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _handlerErrors;

    public MentraMetrics(IMeterFactory meters, IActiveSessions sessions)
    {
        Meter meter = meters.Create(MentraTelemetry.Name);
        _received = meter.CreateCounter<long>("mentra.webhook.requests", unit: "{webhook}", description: "Webhooks received, by type and outcome.");
        _duration = meter.CreateHistogram<double>("mentra.webhook.handler.duration", unit: "s", description: "Time spent in the app's handler, by type and outcome.");
        meter.CreateObservableUpDownCounter("mentra.session.active", () => sessions.Count, unit: "{session}", description: "Sessions started and not yet stopped.");
        _skipped = meter.CreateCounter<long>("mentra.session.skipped_messages", unit: "{message}", description: "Messages from the cloud logged and skipped, by reason: malformed, too_large, unexpected_audio, ended.");
        _reconnects = meter.CreateCounter<long>("mentra.session.reconnects", unit: "{reconnect}", description: "Sessions whose socket closed abnormally, by outcome: reconnected, lost.");
        _handlerErrors = meter.CreateCounter<long>("mentra.session.handler.errors", unit: "{error}", description: "Exceptions thrown by the app's session handlers (each logged; the session goes on).");
    }

    public void SessionMessageSkipped(string reason) => _skipped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void SessionReconnect(string outcome) => _reconnects.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void SessionHandlerFailed() => _handlerErrors.Add(1);

    /// <summary>Whether anyone listens to the handler duration, so that timing it is worth a clock read.</summary>
    public bool HandlerTimingEnabled => _duration.Enabled;

    public void Received(string type, string outcome) =>
        _received.Add(1, new KeyValuePair<string, object?>("webhook.type", type), new KeyValuePair<string, object?>("outcome", outcome));

    public void Handled(string type, string outcome, TimeSpan elapsed) =>
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("webhook.type", type), new KeyValuePair<string, object?>("outcome", outcome));
}
