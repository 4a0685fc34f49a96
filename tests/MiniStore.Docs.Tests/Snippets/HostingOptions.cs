using Akka.Hosting;
using Akka.Persistence.MiniStore.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MiniStore.Docs.Tests.Snippets;

/// <summary>docs/CONFIGURATION.md's Akka.Hosting example: options objects, and HOCON for the keys they do not have.</summary>
public static class HostingOptions
{
    public static AkkaConfigurationBuilder Configure(AkkaConfigurationBuilder akka, string store) =>
        // begin-snippet: hosting-options
        akka.WithMiniStorePersistence(
                new MiniStoreJournalOptions
                {
                    Directory = Path.Combine(store, "journal"),
                    MaxRecordSize = 1024 * 1024,
                    Query = { RefreshInterval = TimeSpan.FromMilliseconds(250) },
                },
                new MiniStoreSnapshotOptions { Directory = Path.Combine(store, "snapshots") },
                journalBuilder: journal => journal.WithHealthCheck(HealthStatus.Unhealthy),
                snapshotBuilder: snapshots => snapshots.WithHealthCheck(HealthStatus.Unhealthy))
            .AddHocon("""
                akka.persistence.journal.ministore { write-threads = 4, max-open-files = 64 }
                akka.persistence.snapshot-store.ministore.keep-snapshots = 2
                """, HoconAddMode.Prepend);
        // end-snippet
}
