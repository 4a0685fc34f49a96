using Akka.Persistence.MiniStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace MiniStore.Docs.Tests.Snippets;

/// <summary>docs/OPERATIONS.md's metrics example: MiniStore's meter in OpenTelemetry (compiled; the sample runs it).</summary>
public static class Metrics
{
    public static void AddTo(HostApplicationBuilder builder)
    {
        // begin-snippet: metrics
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MiniStoreMetrics.MeterName)  // "Akka.Persistence.MiniStore"
            .AddConsoleExporter());                // or the exporter you use: OTLP, Prometheus
        // end-snippet
    }
}
