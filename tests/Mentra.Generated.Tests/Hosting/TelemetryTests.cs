using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
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

    [Fact]
    public async Task AddMentraInstrumentation_exports_the_webhook_span_and_metrics_through_the_OpenTelemetry_sdk()
    {
        var spans = new List<Activity>();
        var metrics = new List<OpenTelemetry.Metrics.Metric>();
        await using (KestrelHost host = await KestrelHost.StartAsync<HostingApp>(services: services =>
        {
            services.AddSingleton<HostingProbe>();
            services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddMentraInstrumentation().AddInMemoryExporter(spans))
                .WithMetrics(meters => meters.AddMentraInstrumentation().AddInMemoryExporter(metrics));
        }))
        {
            await host.PostAsync(Payload("docs/stop_request.json"));
            host.Services.GetRequiredService<OpenTelemetry.Trace.TracerProvider>().ForceFlush();
            host.Services.GetRequiredService<OpenTelemetry.Metrics.MeterProvider>().ForceFlush();
        }

        // The source is the process's, so spans of other tests' hosts may come too: this host's stop_request is one of them.
        Assert.Contains(spans, s => s.OperationName == "mentra.webhook" && s.Kind == ActivityKind.Server
            && (string?)s.GetTagItem("webhook.type") == "stop_request" && (string?)s.GetTagItem("outcome") == "success");
        Assert.Contains(metrics, m => m.Name == "mentra.webhook.requests");
        Assert.Contains(metrics, m => m.Name == "mentra.webhook.handler.duration");
        Assert.Contains(metrics, m => m.Name == "mentra.session.active");
    }

    [Fact]
    public async Task With_the_AspNetCore_instrumentation_the_webhook_span_is_a_child_of_the_request_span()
    {
        var spans = new List<Activity>();
        await using (KestrelHost host = await KestrelHost.StartAsync<HostingApp>(services: services =>
        {
            services.AddSingleton<HostingProbe>();
            services.AddOpenTelemetry().WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddMentraInstrumentation().AddInMemoryExporter(spans));
        }))
        {
            await host.PostAsync(Payload("docs/stop_request.json"));
            host.Services.GetRequiredService<OpenTelemetry.Trace.TracerProvider>().ForceFlush();
        }

        // Both sources are the process's, so other tests' hosts may add spans (and one whose request began before this
        // provider existed is a root): this host's webhook span is among them, as its request span's child.
        Assert.Contains(spans, webhook => webhook.OperationName == "mentra.webhook" && spans.Any(request => request.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn"
            && (request.TraceId, request.SpanId) == (webhook.TraceId, webhook.ParentSpanId)));
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
