using Akka.Configuration;
using Akka.Persistence.MiniStore;

namespace MiniStore.CrashWriter;

/// <summary>The configuration of an actor system on a crash store: journal in &lt;dir&gt;/journal, snapshots in &lt;dir&gt;/snapshots.</summary>
public static class CrashStoreConfig
{
    public static Config For(string directory) =>
        ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.ministore"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.ministore"
            akka.persistence.journal.ministore.directory = "{{Path.Combine(directory, "journal").Replace("\\", "/")}}"
            akka.persistence.snapshot-store.ministore.directory = "{{Path.Combine(directory, "snapshots").Replace("\\", "/")}}"
            """).WithFallback(MiniStorePersistence.DefaultConfiguration());
}
