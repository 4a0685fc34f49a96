using Akka.Actor;
using Akka.Persistence.MiniStore.Journal;
using Akka.Persistence.MiniStore.Snapshot;
using Akka.Persistence.MiniStore.Tests.Journal;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Store;

/// <summary>One owner per store: a second actor system in this process on the same directories is refused, loudly.</summary>
public class StoreOwnerTests : JournalTestKit
{
    public StoreOwnerTests(ITestOutputHelper output) : base(output) { }

    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_second_actor_system_on_the_same_directory_is_refused_naming_the_directory_and_the_owner()
    {
        var first = StartSystem("owner-first");
        var second = StartSystem("owner-second");
        try
        {
            var firstReporter = CreateTestProbe(first);
            var owner = first.ActorOf(ReportingActor.Props(Pid, firstReporter.Ref));
            firstReporter.ExpectMsg<ReportingActor.Recovered>(Slow);
            owner.Tell("a-1", firstReporter.Ref);
            firstReporter.ExpectMsg<ReportingActor.Persisted>(Slow);
            byte[] logBefore = File.ReadAllBytes(EventLogPath(Pid));

            // A persistent actor in the second system: its recovery fails with the lock's message.
            var secondReporter = CreateTestProbe(second);
            second.ActorOf(ReportingActor.Props(Pid, secondReporter.Ref));
            var failed = secondReporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow);
            AssertRefusal(failed.Cause, first.Name, JournalDirectory, SnapshotDirectory);

            // The second journal itself refuses writes and replays without touching a file.
            var probe = CreateTestProbe(second);
            JournalOf(second).Tell(new WriteMessages([new AtomicWrite(Event("b-1", 2, Pid, WriterGuid))], probe.Ref, ActorInstanceId));
            var writeFailed = probe.ExpectMsg<WriteMessagesFailed>(Slow);
            AssertRefusal(writeFailed.Cause, first.Name, JournalDirectory);
            Assert.Contains(MiniStoreJournal.LockFileName, writeFailed.Cause.Message);
            probe.ExpectMsg<WriteMessageFailure>();
            JournalOf(second).Tell(new ReplayMessages(0, long.MaxValue, long.MaxValue, Pid, probe.Ref));
            AssertRefusal(probe.ExpectMsg<ReplayMessagesFailure>(Slow).Cause, first.Name, JournalDirectory);
            Persistence.Instance.Apply(second).SnapshotStoreFor(null).Tell(new LoadSnapshot(Pid, SnapshotSelectionCriteria.Latest, long.MaxValue), probe.Ref);
            var snapshotFailed = probe.ExpectMsg<LoadSnapshotFailed>(Slow);
            AssertRefusal(snapshotFailed.Cause, first.Name, SnapshotDirectory);
            Assert.Contains(MiniStoreSnapshotStore.LockFileName, snapshotFailed.Cause.Message);

            // Health checks say so too, for both plugins of the second system, and not for the owner's.
            var persistence = Persistence.Instance.Apply(second);
            var journalHealth = persistence.CheckJournalHealthAsync(null!).Result;
            Assert.Equal(PersistenceHealthStatus.Unhealthy, journalHealth.Status);
            AssertRefusal(journalHealth.Exception!, first.Name, JournalDirectory);
            Assert.Equal(PersistenceHealthStatus.Unhealthy, persistence.CheckSnapshotStoreHealthAsync(null!).Result.Status);
            Assert.Equal(PersistenceHealthStatus.Healthy, Persistence.Instance.Apply(first).CheckJournalHealthAsync(null!).Result.Status);

            // The owner is not disturbed: its file is as it left it, and it goes on writing.
            Assert.Equal(logBefore, File.ReadAllBytes(EventLogPath(Pid)));
            owner.Tell("a-2", firstReporter.Ref);
            Assert.Equal(2, firstReporter.ExpectMsg<ReportingActor.Persisted>(Slow).SequenceNr);
            AssertTwoEvents(ReadLines(EventLogPath(Pid)));
        }
        finally
        {
            Terminate(second);
            Terminate(first);
        }
    }

    [Fact]
    public void When_the_owner_stops_the_refused_system_takes_over_without_a_restart()
    {
        var first = StartSystem("takeover-first");
        var second = StartSystem("takeover-second");
        try
        {
            WriteSuccessfully(JournalOf(first), first, new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)), new AtomicWrite(Event("a-2", 2, Pid, WriterGuid)));
            var probe = CreateTestProbe(second);
            JournalOf(second).Tell(new ReplayMessages(0, long.MaxValue, long.MaxValue, Pid, probe.Ref));
            Assert.IsType<StoreLockedException>(probe.ExpectMsg<ReplayMessagesFailure>(Slow).Cause);

            Terminate(first);

            var (events, highest) = Replay(JournalOf(second), second, Pid);
            AssertTckEvents(events, Pid, 1, 2);
            Assert.Equal(2, highest);
            WriteSuccessfully(JournalOf(second), second, new AtomicWrite(Event("a-3", 3, Pid, WriterGuid)));
            AssertTckEvents(Replay(JournalOf(second), second, Pid).Events, Pid, 1, 2, 3);
            var held = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(JournalDirectory, MiniStoreJournal.LockFileName, "test"));
            Assert.Contains("takeover-second", held.Owner);
        }
        finally
        {
            Terminate(second);
            if (!first.WhenTerminated.IsCompleted) Terminate(first);
        }
    }

    [Fact]
    public void The_lock_is_held_while_the_journal_runs_and_names_the_owning_process_and_actor_system()
    {
        WriteSuccessfully(new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)));
        var e = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(JournalDirectory, MiniStoreJournal.LockFileName, "test"));
        Assert.Contains($"\"pid\":{Environment.ProcessId}", e.Owner);
        Assert.Contains(Sys.Name, e.Owner);
        Assert.Equal(Path.Combine(JournalDirectory, MiniStoreJournal.LockFileName), e.LockPath);
    }

    [Fact]
    public void A_refused_system_writes_nothing_anywhere_in_the_store()
    {
        var first = StartSystem("quiet-first");
        try
        {
            WriteSuccessfully(JournalOf(first), first, new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)), new AtomicWrite(Event("a-2", 2, Pid, WriterGuid)));
            var ownerProbe = CreateTestProbe(first);
            Persistence.Instance.Apply(first).SnapshotStoreFor(null).Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 2, DateTime.UtcNow), "state"), ownerProbe.Ref);
            ownerProbe.ExpectMsg<SaveSnapshotSuccess>(Slow);
            string before = Checksums(StoreDirectory);

            var second = StartSystem("quiet-second");
            try
            {
                // Both plugins of the refused system asked for everything they do.
                var reporter = CreateTestProbe(second);
                second.ActorOf(ReportingActor.Props(Pid, reporter.Ref));
                reporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow);
                second.ActorOf(ReportingActor.Props(Pid + "-new", reporter.Ref));
                reporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow);
                var probe = CreateTestProbe(second);
                JournalOf(second).Tell(new WriteMessages([new AtomicWrite(Event("b-1", 1, Pid + "-new", WriterGuid))], probe.Ref, ActorInstanceId));
                probe.ExpectMsg<WriteMessagesFailed>(Slow);
                JournalOf(second).Tell(new DeleteMessagesTo(Pid, 2, probe.Ref));
                probe.FishForMessage(m => m is DeleteMessagesFailure, Slow);
                var snapshots = Persistence.Instance.Apply(second).SnapshotStoreFor(null);
                snapshots.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 3, DateTime.UtcNow), "other"), probe.Ref);
                probe.FishForMessage(m => m is SaveSnapshotFailure, Slow);
                Assert.Equal(PersistenceHealthStatus.Unhealthy, Persistence.Instance.Apply(second).CheckJournalHealthAsync(null!).Result.Status);
                Assert.Equal(PersistenceHealthStatus.Unhealthy, Persistence.Instance.Apply(second).CheckSnapshotStoreHealthAsync(null!).Result.Status);
                Thread.Sleep(500); // room for any background work the refused journal might have started

                Assert.Equal(before, Checksums(StoreDirectory));
            }
            finally
            {
                Terminate(second);
            }
            Assert.Equal(before, Checksums(StoreDirectory));
        }
        finally
        {
            Terminate(first);
        }
    }

    /// <summary>
    /// Every entry under <paramref name="directory"/>: directories by name, files by name, length and SHA-256 (a held
    /// lock file, which .NET cannot open for reading beside its owner's lock, by length and modification time).
    /// </summary>
    internal static string Checksums(string directory) =>
        string.Join("\n", Directory.GetFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(path =>
            Directory.Exists(path) ? path + "/"
            : path.EndsWith(".lock", StringComparison.Ordinal) ? $"{path} {new FileInfo(path).Length} {File.GetLastWriteTimeUtc(path):O}"
            : $"{path} {new FileInfo(path).Length} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))}"));

    private static void AssertTwoEvents(IReadOnlyList<StoredLine> lines) => Assert.Equal([1L, 2], lines.Select(l => l.Seq));

    /// <summary>The refusal names a directory of the store, the owning process (this one) and its actor system.</summary>
    internal static void AssertRefusal(Exception cause, string ownerSystem, params string[] directories)
    {
        var locked = Assert.IsType<StoreLockedException>(cause);
        Assert.Contains(locked.Directory, directories);
        Assert.Contains($"'{locked.Directory}'", locked.Message);
        Assert.Contains("already in use", locked.Message);
        Assert.Contains($"process {Environment.ProcessId}", locked.Message);
        Assert.Contains(ownerSystem, locked.Message);
        Assert.Equal(Environment.ProcessId, locked.OwnerProcessId);
    }
}
