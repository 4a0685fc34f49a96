using Akka.Hosting;
using Akka.Persistence.MiniStore.Hosting;
using Akka.Persistence.MiniStore.Shipping;

namespace MiniStore.Docs.Tests.Snippets;

/// <summary>docs/SHIPPING.md's in-application example: compiled, not run (it names a system directory; SampleShippingTests runs the sample that does the same).</summary>
public static class ShippingQuickStart
{
    public static void Configure(AkkaConfigurationBuilder akka)
    {
        // begin-snippet: shipping-quick-start
        akka.WithMiniStorePersistence("/var/lib/app/store")
            .WithMiniStoreShipping(o =>
            {
                o.Name = "central";                     // position log: /var/lib/app/store/shipping/central.jsonl
                o.DegradedLag = TimeSpan.FromMinutes(5); // health: Degraded when the oldest unshipped event is older
            }, targetHocon: File.ReadAllText("central.conf")); // targets: the file's journal.plugin and snapshot-store.plugin
        // end-snippet
    }
}
