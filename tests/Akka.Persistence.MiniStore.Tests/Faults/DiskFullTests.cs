using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Persistence.MiniStore.Tests.Faults.FaultProbeActor;

namespace Akka.Persistence.MiniStore.Tests.Faults;

/// <summary>
/// A full disk (a 512 KiB tmpfs, filled) during an append, a snapshot save and a deletion. Each time the actor gets
/// the failure naming its persistence id and file, other writes go on, no half record stays, and after space is
/// freed writing resumes with no gap. Needs root on Linux to mount the tmpfs; elsewhere each test says it checked nothing.
/// </summary>
public sealed class DiskFullTests : FaultTestBase
{
    private readonly SmallFileSystem? _disk;

    public DiskFullTests(ITestOutputHelper output) : this(output, FaultEnvironment.NoTmpfs is null ? new SmallFileSystem(512) : null)
    {
    }

    private DiskFullTests(ITestOutputHelper output, SmallFileSystem? disk) : base(output, disk?.Path) => _disk = disk;

    [SkippableFact]
    public async Task Disk_full_during_an_append_fails_that_persist_only_and_leaves_no_half_record()
    {
        Skip.If(FaultEnvironment.NoTmpfs is not null, FaultEnvironment.NoTmpfs);
        var a = Recover("full-a", 0);
        var b = Recover("full-b", 0);
        Persist(a, "a-1", "a-2", "a-3");
        Persist(b, "b-1");

        _disk!.Fill();
        a.Tell("a-4" + BigEvent);
        var failed = ExpectMsg<PersistFailed>(Wait);
        Assert.Equal(4, failed.Seq);
        AssertNames(failed.Message, "full-a", EventLogPath("full-a"), "No space left on device");
        Persist(b, "b-2"); // fits the free bytes of b's last page: the journal keeps serving
        await AssertWholeRecordsAsync(EventLogPath("full-a"), 3);

        _disk.Free();
        var again = Recover("full-a", 3);
        again.Tell("a-4" + BigEvent);
        Assert.Equal(4, ExpectMsg<Persisted>(Wait).Seq);
        Recover("full-a", 4);
        await AssertWholeRecordsAsync(EventLogPath("full-a"), 4);
    }

    [SkippableFact]
    public void Disk_full_during_a_snapshot_save_fails_the_save_and_leaves_no_file()
    {
        Skip.If(FaultEnvironment.NoTmpfs is not null, FaultEnvironment.NoTmpfs);
        var a = Recover("snap-a", 0);
        Persist(a, "a-1", "a-2");
        string snapshots = Path.Combine(SnapshotDirectory, PersistenceIdFileName.For("snap-a"));

        _disk!.Fill();
        a.Tell(new TakeSnapshot(BigEvent));
        var failure = ExpectMsg<SaveSnapshotFailure>(Wait);
        AssertNames(failure.Cause.ToString(), "snap-a", snapshots, "No space left on device");
        Assert.Empty(Directory.Exists(snapshots) ? Directory.GetFiles(snapshots) : []);
        Persist(a, "a-3");

        _disk.Free();
        a.Tell(new TakeSnapshot(BigEvent));
        Assert.Equal(3, ExpectMsg<SaveSnapshotSuccess>(Wait).Metadata.SequenceNr);
        var recovered = Recover("snap-a", 3);
        Sys.Stop(recovered);
    }

    [SkippableFact]
    public async Task Disk_full_during_a_deletion_fails_the_deletion_and_a_later_one_succeeds()
    {
        Skip.If(FaultEnvironment.NoTmpfs is not null, FaultEnvironment.NoTmpfs);
        var a = Recover("del-a", 0);
        Persist(a, "a-1", "a-2", "a-3");
        a.Tell(new TakeSnapshot("state"));
        ExpectMsg<SaveSnapshotSuccess>(Wait);
        string deletions = Path.ChangeExtension(EventLogPath("del-a"), ".deleted.jsonl");

        _disk!.Fill();
        a.Tell(new DeleteEventsTo(2));
        var failure = ExpectMsg<DeleteMessagesFailure>(Wait);
        AssertNames(failure.Cause.ToString(), "del-a", deletions, "No space left on device");
        a.Tell(new DeleteSnapshotsTo(3)); // deleting files needs no space
        ExpectMsg<DeleteSnapshotsSuccess>(Wait);
        Persist(a, "a-4");

        _disk.Free();
        a.Tell(new DeleteEventsTo(2));
        ExpectMsg<DeleteMessagesSuccess>(Wait);
        var recovered = Recover("del-a", 4, 3, 4);
        await AssertWholeRecordsAsync(deletions, 1);
        Sys.Stop(recovered);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _disk?.Dispose();
    }
}
