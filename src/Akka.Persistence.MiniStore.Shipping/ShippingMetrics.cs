using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// The shipper's instruments, on the plugin's meter "Akka.Persistence.MiniStore" (OpenTelemetry's
/// <c>AddMeter("Akka.Persistence.MiniStore")</c> and <c>dotnet-counters</c> take them with the journal's). Every
/// measurement carries the shipper's name as <c>ministore.shipping.target</c>, never a persistence id.
/// </summary>
public static class ShippingMetrics
{
    public const string TargetTag = "ministore.shipping.target";

    private static readonly Meter Meter = new(MiniStoreMetrics.MeterName, typeof(ShippingMetrics).Assembly.GetName().Version?.ToString());
    private static readonly ConcurrentDictionary<StoreShipper, byte> Live = new();

    internal static readonly Counter<long> ShippedEvents = Meter.CreateCounter<long>("ministore.shipping.shipped.events", "{event}", "Events the target acknowledged.");
    internal static readonly Counter<long> ShippedBytes = Meter.CreateCounter<long>("ministore.shipping.shipped.bytes", "By", "Bytes of the event records the target acknowledged.");
    internal static readonly Counter<long> ShippedSnapshots = Meter.CreateCounter<long>("ministore.shipping.shipped.snapshots", "{snapshot}", "Snapshots the target snapshot store acknowledged.");
    internal static readonly Counter<long> Failures = Meter.CreateCounter<long>("ministore.shipping.failures", "{failure}", "Attempts that failed, by error.type: unavailable (the target did not store a write; retried) or halted (shipping stopped until someone acts).");
    internal static readonly Histogram<double> Delay = Meter.CreateHistogram<double>("ministore.shipping.delay", "s", "From an event's storing on the device to the target's acknowledgement of it.");

    static ShippingMetrics()
    {
        Meter.CreateObservableGauge("ministore.shipping.backlog.events", () => Observe(s => s.Status.BacklogEvents), "{event}", "Events stored and not yet shipped.");
        Meter.CreateObservableGauge("ministore.shipping.backlog.bytes", () => Observe(s => s.Status.BacklogBytes), "By", "Bytes of event records stored and not yet shipped.");
        Meter.CreateObservableGauge("ministore.shipping.lag", () => ObserveDouble(s => s.Status.CurrentLag.TotalSeconds), "s", "Age of the oldest event not yet shipped (0 when caught up).");
    }

    private static IEnumerable<Measurement<long>> Observe(Func<StoreShipper, long> value)
    {
        foreach (var shipper in Live.Keys)
            yield return new Measurement<long>(value(shipper), shipper.Tag);
    }

    private static IEnumerable<Measurement<double>> ObserveDouble(Func<StoreShipper, double> value)
    {
        foreach (var shipper in Live.Keys)
            yield return new Measurement<double>(value(shipper), shipper.Tag);
    }

    internal static void Register(StoreShipper shipper) => Live.TryAdd(shipper, 0);
    internal static void Unregister(StoreShipper shipper) => Live.TryRemove(shipper, out _);
}
