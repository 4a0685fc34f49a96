using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Hosting;
using Akka.Persistence.MiniStore.Shipping;
using Akka.Persistence.MiniStore.Storage;
using CounterSample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

// A generic-host app configured only through Akka.Hosting: no HOCON. Run it twice to see the value recovered from disk.
// With --metrics, MiniStore's instruments are printed at the end by OpenTelemetry's console exporter.
// With --ship-to central.conf, the store is shipped while the app runs to the journal that file configures (docs/SHIPPING.md).
bool metrics = args.Contains("--metrics");
int shipArg = Array.IndexOf(args, "--ship-to");
string? shipTo = shipArg >= 0 && shipArg + 1 < args.Length ? args[shipArg + 1] : null;
string store = args.Where((a, i) => !a.StartsWith("--") && (shipArg < 0 || i != shipArg + 1)).FirstOrDefault() ?? "ministore-hosting";

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
    if (shipTo is not null)
        akka.WithMiniStoreShipping(o => o.Name = "central", targetHocon: File.ReadAllText(shipTo)); // the targets: the file's plugin lines
});

using var host = builder.Build();
await host.StartAsync();

var counter = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<Counter>();
var value = await CounterDemo.RunAsync(counter);

bool shipped = true;
if (shipTo is not null)
{
    // The position log says how far the target acknowledged: wait (up to 30 s) until it holds this run's events.
    var shipper = MiniStoreShipping.Get(host.Services.GetRequiredService<ActorSystem>()).Shipper("central")!;
    long Shipped() => File.Exists(shipper.PositionPath) ? ShippedPositions.Read(shipper.PositionPath).EventsOf("counter-1") : 0;
    for (int i = 0; i < 300 && Shipped() < value.SequenceNr; i++)
        await Task.Delay(100);
    Console.WriteLine($"Shipping: the target holds counter-1 up to sequence number {Shipped()} ({shipper.Status.State}, {shipper.Status.ShippedEvents} events shipped in this run)");
    shipped = Shipped() >= value.SequenceNr;
}

var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
Console.WriteLine($"Health: {report.Status}");
foreach (var (name, entry) in report.Entries)
    Console.WriteLine($"  {name}: {entry.Status} - {entry.Description}");
Console.WriteLine($"Inspect the logs with:  dotnet run --project tools/MiniStore.Cli -- ls {Path.GetFullPath(store)}");

await host.StopAsync();
return report.Status == HealthStatus.Healthy && shipped ? 0 : 1;
