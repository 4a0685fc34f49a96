using Akka.Actor;
using Akka.Configuration;
using MiniStore.Cli.Migration;
using Akka.Persistence.MiniStore.Storage;

namespace MiniStore.Cli.Tests.Migration;

/// <summary>
/// The other side of an export or import, as a HOCON file: a second MiniStore store under another plugin id (needs
/// nothing installed), or Akka.Persistence.Sql on the PostgreSQL server the tests were given.
/// </summary>
internal sealed class OtherJournal : IDisposable
{
    private OtherJournal(string hocon, Action? cleanUp, bool keepsWriterIds)
    {
        KeepsWriterIds = keepsWriterIds;
        HoconFile = Path.Combine(Path.GetTempPath(), "ministore-cli-tests", $"other-{Guid.NewGuid():N}.conf");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(HoconFile)!);
        File.WriteAllText(HoconFile, hocon);
        _cleanUp = cleanUp;
    }

    private readonly Action? _cleanUp;
    public string HoconFile { get; }
    /// <summary>The plugin id of this side's read journal.</summary>
    public string ReadJournalId { get; private init; } = "akka.persistence.query.journal.other";
    public bool KeepsWriterIds { get; }
    public Config Config => ConfigurationFactory.ParseString(File.ReadAllText(HoconFile));

    public static OtherJournal MiniStore(string directory) => new($$"""
        akka.persistence.journal.plugin = "akka.persistence.journal.other"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.other"
        akka.persistence.journal.other {
          class = "Akka.Persistence.MiniStore.Journal.MiniStoreJournal, Akka.Persistence.MiniStore"
          directory = "{{directory.Replace("\\", "/")}}/journal"
        }
        akka.persistence.snapshot-store.other {
          class = "Akka.Persistence.MiniStore.Snapshot.MiniStoreSnapshotStore, Akka.Persistence.MiniStore"
          directory = "{{directory.Replace("\\", "/")}}/snapshots"
        }
        akka.persistence.query.journal.other {
          class = "Akka.Persistence.MiniStore.Query.MiniStoreReadJournalProvider, Akka.Persistence.MiniStore.Query"
          write-plugin = "akka.persistence.journal.other"
        }
        """, () => { try { Directory.Delete(directory, true); } catch (IOException) { } }, keepsWriterIds: true);

    public static OtherJournal Sql(PostgresDatabase database) => new($$"""
        akka.persistence {
          journal.plugin = "akka.persistence.journal.sql"
          journal.sql {
            class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
            connection-string = "{{database.ConnectionString}}"
            provider-name = "PostgreSQL.15"
          }
          query.journal.sql {
            class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
            connection-string = "{{database.ConnectionString}}"
            provider-name = "PostgreSQL.15"
          }
          snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
          snapshot-store.sql {
            class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
            connection-string = "{{database.ConnectionString}}"
            provider-name = "PostgreSQL.15"
          }
        }
        """, null, keepsWriterIds: false) { ReadJournalId = "akka.persistence.query.journal.sql" };

    /// <summary>An actor system whose default journal and snapshot store are this side's.</summary>
    public ActorSystem StartSystem() =>
        ActorSystem.Create("other", Config.WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING")).WithFallback(Akka.Persistence.MiniStore.MiniStorePersistence.DefaultConfiguration()));

    /// <summary>Both sides in one system, as export and import see them.</summary>
    public PluginSystem StartBoth(string store) =>
        PluginSystem.Start(StoreLayout.Find(store)!, new FileInfo(HoconFile), null, null);

    public void Dispose()
    {
        File.Delete(HoconFile);
        _cleanUp?.Invoke();
    }
}
