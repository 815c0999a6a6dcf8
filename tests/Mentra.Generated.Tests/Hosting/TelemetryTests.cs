using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Mentra.Generated.Tests.Contracts.PayloadTests;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>The SDK's metrics and traces, as an OpenTelemetry exporter would see them.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Webhooks_are_counted_timed_and_traced_by_type_and_outcome()
    {
        await using KestrelHost host = await KestrelHost.StartHostingAppAsync();
        object scope = host.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<(string Instrument, double Value, string Type, string Outcome)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MentraTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, Tag(tags, "webhook.type"), Tag(tags, "outcome"))));
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, Tag(tags, "webhook.type"), Tag(tags, "outcome"))));
        meters.Start();
        var activities = new ConcurrentQueue<Activity>();
        using var traces = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MentraTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(traces);

        await host.PostAsync(Payload("docs/stop_request.json"));
        await host.PostAsync(Payload("docs/server_heartbeat.json").Replace("heartbeat-123456", "throw"));

        var counted = measurements.Where(m => m.Instrument == "mentra.webhook.requests").Select(m => (m.Type, m.Outcome, m.Value)).ToList();
        Assert.Contains(("stop_request", "success", 1.0), counted);
        Assert.Contains(("server_heartbeat", "failed", 1.0), counted);
        Assert.Contains(measurements, m => m.Instrument == "mentra.webhook.handler.duration" && m.Type == "stop_request" && m.Value >= 0);
        Assert.Contains(activities, a => a.OperationName == "mentra.webhook" && (string?)a.GetTagItem("webhook.type") == "server_heartbeat" && a.Status == ActivityStatusCode.Error);
    }

    private static string Tag(System.ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string ?? string.Empty;
            }
        }

        return string.Empty;
    }
}
