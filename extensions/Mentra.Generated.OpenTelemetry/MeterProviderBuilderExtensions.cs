using System;
using Mentra.Generated;

namespace OpenTelemetry.Metrics;

/// <summary>
/// Registers the SDK's metrics with OpenTelemetry, in OpenTelemetry's own namespace as its instrumentations do (beside
/// <c>AddAspNetCoreInstrumentation</c>).
/// </summary>
public static class MentraMeterProviderBuilderExtensions
{
    /// <summary>
    /// Collects the SDK's metrics (meter <see cref="MentraTelemetry.Name"/>): <c>mentra.webhook.requests</c> and
    /// <c>mentra.webhook.handler.duration</c> by type and outcome, <c>mentra.session.active</c>,
    /// <c>mentra.session.skipped_messages</c>, <c>mentra.session.reconnects</c> and <c>mentra.session.handler.errors</c>.
    /// </summary>
    /// <param name="builder">The app's meter provider builder.</param>
    public static MeterProviderBuilder AddMentraInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(MentraTelemetry.Name);
    }
}
