using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Hosting;
using CounterSample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

// A generic-host app configured only through Akka.Hosting: no HOCON. Run it twice to see the value recovered from disk.
// With --metrics, MiniStore's instruments are printed at the end by OpenTelemetry's console exporter.
bool metrics = args.Contains("--metrics");
string store = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "ministore-hosting";

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddHealthChecks();
if (metrics)
    builder.Services.AddOpenTelemetry().WithMetrics(meters => meters
        .AddMeter(MiniStoreMetrics.MeterName) // the only line MiniStore needs; dotnet-counters needs none
        .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000));
builder.Services.AddAkka("counter-hosting", akka =>
{
    akka.ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel)
        .WithMiniStorePersistence(store,
            journalBuilder: journal => journal
                .AddWriteEventAdapter<CounterTagger>("counter-tagger", [typeof(Incremented), typeof(ValueSet)])
                .WithHealthCheck(HealthStatus.Unhealthy),
            snapshotBuilder: snapshots => snapshots.WithHealthCheck(HealthStatus.Unhealthy))
        .WithActors((system, registry) => registry.Register<Counter>(system.ActorOf(Props.Create(() => new Counter("counter-1")), "counter")));
});

using var host = builder.Build();
await host.StartAsync();

var counter = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<Counter>();
await CounterDemo.RunAsync(counter);

var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
Console.WriteLine($"Health: {report.Status}");
foreach (var (name, entry) in report.Entries)
    Console.WriteLine($"  {name}: {entry.Status} - {entry.Description}");
Console.WriteLine($"Inspect the logs with:  dotnet run --project tools/MiniStore.Cli -- ls {Path.GetFullPath(store)}");

await host.StopAsync();
return report.Status == HealthStatus.Healthy ? 0 : 1;
