using Akka.Actor;
using Akka.Persistence.MiniStore.Journal;
using Akka.Persistence.MiniStore.Snapshot;
using Akka.Persistence.MiniStore.Tests.Journal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Store;

/// <summary>
/// Owner-only files: every file and directory the plugin creates (event logs, deletion logs, torn-tail copies,
/// snapshots, their directories, lock files) gets file-mode / directory-mode, 0600 / 0700 by default.
/// </summary>
public class FileModeTests : JournalTestKit
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = OwnerFile | UnixFileMode.UserExecute;

    public FileModeTests(ITestOutputHelper output) : base(output) { }

    [SkippableFact]
    public void Every_file_and_directory_of_the_store_is_created_for_its_owner_only()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        FillStore(Config);
        AssertModes(OwnerFile, OwnerDirectory);
    }

    [SkippableFact]
    public void Configured_modes_apply_to_every_file_and_directory_of_the_store()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        const UnixFileMode groupReadFile = OwnerFile | UnixFileMode.GroupRead;
        const UnixFileMode groupReadDirectory = OwnerDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        FillStore(Config + """

            akka.persistence.journal.ministore { file-mode = "640", directory-mode = "750" }
            akka.persistence.snapshot-store.ministore { file-mode = "640", directory-mode = "750" }
            """);
        AssertModes(groupReadFile, groupReadDirectory);
    }

    /// <summary>Makes the plugin create one file of every kind: events, a deletion mark, a snapshot, lock files and, after a torn write, a .broken copy.</summary>
    private void FillStore(string config)
    {
        var first = ActorSystem.Create("modes-first", Configuration(StoreDirectory, config));
        try
        {
            WriteSuccessfully(JournalOf(first), first, new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)), new AtomicWrite(Event("a-2", 2, Pid, WriterGuid)));
            var probe = CreateTestProbe(first);
            JournalOf(first).Tell(new DeleteMessagesTo(Pid, 1, probe.Ref));
            probe.ExpectMsg<DeleteMessagesSuccess>();
            Persistence.Instance.Apply(first).SnapshotStoreFor(null).Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 2, DateTime.UtcNow), "state"), probe.Ref);
            probe.ExpectMsg<SaveSnapshotSuccess>(TimeSpan.FromSeconds(10));
        }
        finally
        {
            Terminate(first);
        }
        File.AppendAllText(EventLogPath(Pid), "{\"crc\":\"0000"); // a write cut short

        var second = ActorSystem.Create("modes-second", Configuration(StoreDirectory, config));
        try
        {
            AssertTckEvents(Replay(JournalOf(second), second, Pid).Events, Pid, 2);
        }
        finally
        {
            Terminate(second);
        }
    }

    private void AssertModes(UnixFileMode file, UnixFileMode directory)
    {
        var files = Directory.GetFiles(StoreDirectory, "*", SearchOption.AllDirectories);
        var names = files.Select(Path.GetFileName).ToList();
        Assert.Contains(MiniStoreJournal.LockFileName, names);
        Assert.Contains(MiniStoreSnapshotStore.LockFileName, names);
        Assert.Contains(names, n => n!.EndsWith(".deleted.jsonl"));
        Assert.Contains(names, n => n!.EndsWith(".jsonl") && !n.EndsWith(".deleted.jsonl"));
        Assert.Contains(names, n => n!.EndsWith(".broken"));
        Assert.Contains(names, n => n!.EndsWith(".snapshot.json"));
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == file, $"{f} has mode {File.GetUnixFileMode(f)}, expected {file}"));

        var directories = Directory.GetDirectories(StoreDirectory, "*", SearchOption.AllDirectories).Append(StoreDirectory).ToList();
        Assert.Equal(5, directories.Count); // the store, journal, its event index, snapshots and the id's snapshot directory
        Assert.All(directories, d => Assert.True(File.GetUnixFileMode(d) == directory, $"{d} has mode {File.GetUnixFileMode(d)}, expected {directory}"));
    }
}
