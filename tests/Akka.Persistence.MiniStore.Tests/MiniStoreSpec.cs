using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests;

/// <summary>
/// Base of the plugin tests: an actor system whose journal and snapshot store are MiniStore, in a fresh temporary
/// directory that is removed afterwards.
/// </summary>
public abstract class MiniStoreSpec : Akka.TestKit.Xunit2.TestKit
{
    protected MiniStoreSpec(ITestOutputHelper output, string? extraConfig = null, string? directory = null)
        : this(directory ?? NewDirectory(), output, extraConfig)
    {
    }

    private MiniStoreSpec(string directory, ITestOutputHelper output, string? extraConfig)
        : base(Configuration(directory, extraConfig), output: output)
    {
        StoreDirectory = directory;
    }

    /// <summary>Root of this test's store; the journal is in "journal", snapshots in "snapshots".</summary>
    protected string StoreDirectory { get; }
    protected string JournalDirectory => Path.Combine(StoreDirectory, "journal");
    protected string SnapshotDirectory => Path.Combine(StoreDirectory, "snapshots");

    /// <summary>The path of a persistence id's event log.</summary>
    protected string EventLogPath(string persistenceId) => Path.Combine(JournalDirectory, PersistenceIdFileName.For(persistenceId) + ".jsonl");

    public static string NewDirectory() => Path.Combine(Path.GetTempPath(), "ministore-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The configuration of a system on <paramref name="directory"/>, for tests that start a second system on the same store.</summary>
    public static Config Configuration(string directory, string? extraConfig = null) =>
        ConfigurationFactory.ParseString(extraConfig ?? "")
            .WithFallback(ConfigurationFactory.ParseString($$"""
                akka.loglevel = INFO
                # ExpectMsg without a timeout waits this long (TestKit's 3 s is too short on a loaded 2-core machine:
                # an fsync'd write has been seen to take longer while a full dotnet test ran beside it).
                akka.test.single-expect-default = 15s
                akka.persistence.journal.plugin = "akka.persistence.journal.ministore"
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.ministore"
                akka.persistence.journal.ministore.directory = "{{Path.Combine(directory, "journal").Replace("\\", "/")}}"
                akka.persistence.snapshot-store.ministore.directory = "{{Path.Combine(directory, "snapshots").Replace("\\", "/")}}"
                """))
            .WithFallback(MiniStorePersistence.DefaultConfiguration());

    protected override void AfterAll()
    {
        base.AfterAll();
        try { Directory.Delete(StoreDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
