using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Diagnostics.Metrics;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>The sessions' metrics, as an OpenTelemetry exporter would see them.</summary>
public sealed class SessionTelemetryTests
{
    [Fact]
    public async Task Skipped_messages_reconnects_and_handler_errors_are_counted()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        object scope = harness.Host.Services.GetRequiredService<IMeterFactory>();
        var measured = new ConcurrentQueue<(string Instrument, long Value, string Tag)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MentraTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name.StartsWith("mentra.session.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measured.Enqueue((instrument.Name, value, tags.Length > 0 ? tags[0].Value as string ?? string.Empty : string.Empty)));
        meters.Start();
        EmulatedSession session = await harness.StartAliceAsync();

        await session.SendTextAsync("{not json");
        await session.SendTranscriptionAsync("throw");
        await SessionHarness.Eventually(() => harness.Probe.Heard.Contains("throw"), "the handler ran and threw");
        session.Drop();
        await SessionHarness.Eventually(() => session.Connections == 2, "the session reconnected");
        await SessionHarness.Eventually(() => measured.Count >= 3, "three measurements");

        Assert.Equal(
            new HashSet<(string, long, string)>
            {
                ("mentra.session.skipped_messages", 1, "malformed"),
                ("mentra.session.handler.errors", 1, string.Empty),
                ("mentra.session.reconnects", 1, "reconnected"),
            },
            new HashSet<(string, long, string)>(measured));
    }
}
