using System;
using Mentra.Generated;

namespace OpenTelemetry.Trace;

/// <summary>
/// Registers the SDK's spans with OpenTelemetry, in OpenTelemetry's own namespace as its instrumentations do (beside
/// <c>AddAspNetCoreInstrumentation</c>).
/// </summary>
public static class MentraTracerProviderBuilderExtensions
{
    /// <summary>
    /// Collects the SDK's spans (source <see cref="MentraTelemetry.Name"/>): one per webhook, <c>mentra.webhook</c>, tagged
    /// <c>webhook.type</c> and <c>outcome</c>, with an error status when the handler failed or the request was rejected.
    /// </summary>
    /// <param name="builder">The app's tracer provider builder.</param>
    public static TracerProviderBuilder AddMentraInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(MentraTelemetry.Name);
    }
}
