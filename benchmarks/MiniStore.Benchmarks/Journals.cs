using Akka.Configuration;
using Akka.Persistence.MiniStore;
using Microsoft.Data.Sqlite;

namespace MiniStore.Benchmarks;

/// <summary>A journal and snapshot store under test, and how to configure a fresh one in a directory.</summary>
internal sealed record Journal(string Name, Func<string, Config> ConfigFor, bool KeepsDataAcrossSystems)
{
    private const string Common = """
        akka.loglevel = WARNING
        """;

    public static readonly Journal MiniStore = new("MiniStore", directory => ConfigurationFactory.ParseString($$"""
        {{Common}}
        akka.persistence.journal.plugin = "akka.persistence.journal.ministore"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.ministore"
        akka.persistence.journal.ministore.directory = "{{Path.Combine(directory, "journal")}}"
        akka.persistence.snapshot-store.ministore.directory = "{{Path.Combine(directory, "snapshots")}}"
        """).WithFallback(MiniStorePersistence.DefaultConfiguration()), KeepsDataAcrossSystems: true);

    /// <summary>Akka.Persistence.Sql on a SQLite file in WAL mode with synchronous=FULL: a commit is fsync'd before it is acknowledged.</summary>
    public static readonly Journal Sqlite = new("SQLite", directory => ConfigurationFactory.ParseString($$"""
        {{Common}}
        akka.persistence.journal.plugin = "akka.persistence.journal.sql"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
        akka.persistence.journal.sql {
          connection-string = "{{SqliteConnectionString(directory)}}"
          provider-name = "SQLite.MS"
          auto-initialize = on
        }
        akka.persistence.snapshot-store.sql {
          connection-string = "{{SqliteConnectionString(directory)}}"
          provider-name = "SQLite.MS"
          auto-initialize = on
        }
        akka.persistence.query.journal.sql {
          connection-string = "{{SqliteConnectionString(directory)}}"
          provider-name = "SQLite.MS"
          write-plugin = "akka.persistence.journal.sql"
        }
        """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration), KeepsDataAcrossSystems: true);

    /// <summary>Akka's in-memory journal: no I/O, no serialization. Its data lives only as long as its actor system.</summary>
    public static readonly Journal InMemory = new("in-memory", _ => ConfigurationFactory.ParseString($$"""
        {{Common}}
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """), KeepsDataAcrossSystems: false);

    /// <summary>
    /// <see cref="BareFsyncJournal"/>: Akka's overhead plus one write and fdatasync per file touched, nothing else; it
    /// replays nothing, so it runs only the write scenarios. A fresh actor system per run, as for MiniStore (the write
    /// scenarios use new persistence ids in every run).
    /// </summary>
    public static readonly Journal BareFsync = new("bare-fsync", directory => ConfigurationFactory.ParseString($$"""
        {{Common}}
        akka.persistence.journal.plugin = "akka.persistence.journal.bare-fsync"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.persistence.journal.bare-fsync {
          class = "{{typeof(BareFsyncJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          directory = "{{Path.Combine(directory, "journal")}}"
        }
        """), KeepsDataAcrossSystems: true);

    /// <summary>
    /// Not a journal of its own: MiniStore run without and with a <see cref="MetricsListener"/>, in turns, on S1-S3
    /// (the cost of the plugin's metrics when something listens).
    /// </summary>
    public static readonly Journal Metrics = new("metrics", MiniStore.ConfigFor, KeepsDataAcrossSystems: true);

    /// <summary>The scenarios a journal can run; null when it runs them all.</summary>
    public string? OnlyWrites =>
        this == BareFsync ? "it replays nothing (a floor for writes only)" : this == Metrics ? "the metrics' cost is measured on writes" : null;

    public static string SqliteConnectionString(string directory) =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "journal.db"), Pooling = true }.ToString();

    /// <summary>
    /// Creates the SQLite file in WAL mode (a setting stored in the file) and returns what a fresh connection, as the
    /// plugin opens them, reports for journal_mode and synchronous (2 = FULL: fsync on every commit).
    /// </summary>
    public static string PrepareSqlite(string directory)
    {
        Directory.CreateDirectory(directory);
        using (var setup = new SqliteConnection(SqliteConnectionString(directory)))
        {
            setup.Open();
            using var wal = setup.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteScalar();
        }
        return DescribeSqlite(directory);
    }

    public static string DescribeSqlite(string directory)
    {
        using var check = new SqliteConnection(SqliteConnectionString(directory));
        check.Open();
        string Pragma(string name)
        {
            using var command = check.CreateCommand();
            command.CommandText = $"PRAGMA {name};";
            return Convert.ToString(command.ExecuteScalar())!;
        }
        return $"journal_mode={Pragma("journal_mode")}, synchronous={Pragma("synchronous")} (2 = FULL), SQLite {check.ServerVersion}";
    }
}
