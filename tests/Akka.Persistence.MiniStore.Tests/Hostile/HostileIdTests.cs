using Akka.Actor;
using Akka.Persistence.MiniStore.Tests.Journal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Hostile;

/// <summary>
/// Persistence ids no file can hold unchanged, and the hostile ids of <see cref="JournalStorageTests.HostileIds"/>
/// through persistent actors and the snapshot store (the journal's own files are checked in JournalStorageTests).
/// </summary>
public class HostileIdTests : JournalTestKit
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);

    public HostileIdTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void An_id_with_a_lone_surrogate_is_rejected_not_stored_under_a_changed_id_and_other_writes_go_ahead()
    {
        // UTF-8 cannot hold these; replacing them with U+FFFD would give both one file and a stored id matching neither.
        string high = "device-\uD800", low = "device-\uDC00";
        var replies = Write(
            new AtomicWrite(Event("a-1", 1, high, WriterGuid)),
            new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)),
            new AtomicWrite(Event("a-1", 1, low, WriterGuid)));
        var rejected = Assert.IsType<WriteMessageRejected>(replies[0]);
        Assert.Contains("lone surrogate (U+D800) at index 7", rejected.Cause.Message);
        Assert.Contains("device-", rejected.Cause.Message);
        Assert.IsType<WriteMessageSuccess>(replies[1]);
        Assert.Contains("U+DC00", Assert.IsType<WriteMessageRejected>(replies[2]).Cause.Message);
        Assert.Equal([Path.GetFileName(EventLogPath(Pid))], Directory.GetFiles(JournalDirectory, "*.jsonl").Select(Path.GetFileName));

        // Recovery of such an id fails with the same explanation rather than finding another id's events.
        var reporter = CreateTestProbe();
        Sys.ActorOf(ReportingActor.Props(high, reporter.Ref));
        Assert.Contains("lone surrogate", reporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow).Cause.Message);
        AssertTckEvents(Replay(Pid).Events, Pid, 1);
    }

    [Fact]
    public void An_empty_persistence_id_is_refused_saying_so()
    {
        var rejected = Assert.IsType<WriteMessageRejected>(Assert.Single(Write(new AtomicWrite(Event("a-1", 1, "", WriterGuid)))));
        Assert.StartsWith("A persistence id must not be empty", rejected.Cause.Message);
        Assert.DoesNotContain("Parameter", rejected.Cause.Message);

        var reporter = CreateTestProbe();
        Sys.ActorOf(ReportingActor.Props("", reporter.Ref));
        Assert.StartsWith("A persistence id must not be empty", reporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow).Cause.Message);
        Assert.Empty(Directory.GetFiles(JournalDirectory, "*.jsonl"));
    }

    [Fact]
    public void Persistent_actors_with_hostile_ids_persist_snapshot_and_recover_each_their_own_state()
    {
        var ids = JournalStorageTests.HostileIds;
        var reporter = CreateTestProbe();
        foreach (var id in ids)
        {
            var actor = Sys.ActorOf(ReportingActor.Props(id, reporter.Ref));
            Assert.Equal(id, reporter.ExpectMsg<ReportingActor.Recovered>(Slow).PersistenceId);
            actor.Tell(id + "#1", reporter.Ref);
            Assert.Equal(id + "#1", reporter.ExpectMsg<ReportingActor.Persisted>(Slow).Event);
            Persistence.Instance.Apply(Sys).SnapshotStoreFor(null).Tell(new SaveSnapshot(new SnapshotMetadata(id, 1, DateTime.UtcNow), "snapshot of " + id), reporter.Ref);
            reporter.ExpectMsg<SaveSnapshotSuccess>(Slow);
            Watch(actor);
            actor.Tell(PoisonPill.Instance);
            ExpectTerminated(actor);
        }

        var files = Directory.GetFiles(StoreDirectory, "*", SearchOption.AllDirectories);
        Assert.All(files, f => Assert.StartsWith(StoreDirectory, Path.GetFullPath(f)));
        Assert.Equal(ids.Length, Directory.GetDirectories(SnapshotDirectory).Length);
        foreach (var id in ids)
        {
            var snapshots = Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
            snapshots.Tell(new LoadSnapshot(id, SnapshotSelectionCriteria.Latest, long.MaxValue), reporter.Ref);
            var loaded = reporter.ExpectMsg<LoadSnapshotResult>(Slow);
            Assert.Equal("snapshot of " + id, loaded.Snapshot.Snapshot);
            Assert.Equal(id, loaded.Snapshot.Metadata.PersistenceId);
            Sys.ActorOf(ReportingActor.Props(id, reporter.Ref));
            var recovered = reporter.ExpectMsg<ReportingActor.Recovered>(Slow);
            Assert.Equal(id, recovered.PersistenceId);
            Assert.Equal(1, recovered.LastSequenceNr);
        }
    }
}
