using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence.MiniStore.Journal;
using Akka.Persistence.MiniStore.Tests.Faults;
using Akka.Persistence.MiniStore.Tests.Journal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Store;

/// <summary>
/// A store on a read-only mount (a device's backup card, a store copied for inspection) can be read: both plugins
/// start, actors recover from snapshots and events (a torn tail is left in place, replay stops before it); every write
/// fails at once with an error naming the directory and why, not after a timeout; the health checks say unhealthy,
/// read-only. The mount is a tmpfs remounted read-only, which needs root on Linux (skipped elsewhere, saying why).
/// </summary>
public class ReadOnlyStoreTests(ITestOutputHelper output) : JournalTestKit(output)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public void A_store_on_a_read_only_mount_replays_and_loads_snapshots_and_refuses_writes_at_once_naming_the_directory()
    {
        Skip.If(FaultEnvironment.NoTmpfs is not null, FaultEnvironment.NoTmpfs);
        using var mount = new SmallFileSystem(8 * 1024);
        string store = Path.Combine(mount.Path, "store");
        var first = ActorSystem.Create("ro-first", Configuration(store, Config));
        try
        {
            var reporter = CreateTestProbe(first);
            var actor = first.ActorOf(FaultProbeActor.Props(Pid, reporter.Ref));
            reporter.ExpectMsg<FaultProbeActor.Recovered>(Slow);
            foreach (var e in new[] { "a-1", "a-2" })
            {
                actor.Tell(e, reporter.Ref);
                reporter.ExpectMsg<FaultProbeActor.Persisted>(Slow);
            }
            actor.Tell(new FaultProbeActor.TakeSnapshot("state at 2"));
            reporter.ExpectMsg<SaveSnapshotSuccess>(Slow);
            actor.Tell("a-3", reporter.Ref);
            reporter.ExpectMsg<FaultProbeActor.Persisted>(Slow);
        }
        finally
        {
            Terminate(first);
        }
        // A crash left a torn tail behind the last event; the read-only store must replay up to it without cutting it.
        string log = Path.Combine(store, "journal", PersistenceIdFileName.For(Pid) + ".jsonl");
        File.AppendAllText(log, "{\"crc\":\"12ab");
        byte[] logBytes = File.ReadAllBytes(log);
        FaultEnvironment.Check(FaultEnvironment.Run("mount", "-o", "remount,ro", mount.Path), "remount read-only");

        var second = ActorSystem.Create("ro-second", Configuration(store, Config));
        try
        {
            var reporter = CreateTestProbe(second);
            var actor = second.ActorOf(FaultProbeActor.Props(Pid, reporter.Ref));
            var recovered = reporter.ExpectMsg<FaultProbeActor.Recovered>(Slow);
            Assert.Equal(2, recovered.SnapshotAt);
            Assert.Equal([(3L, "a-3")], recovered.Events);
            Assert.Equal(3, recovered.LastSequenceNr);

            var watch = Stopwatch.StartNew();
            actor.Tell("a-4", reporter.Ref);
            string failure = reporter.ExpectMsg<FaultProbeActor.PersistFailed>(Slow).Message;
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the write failed only after {watch.Elapsed}");
            Assert.Contains(nameof(StoreReadOnlyException), failure);
            Assert.Contains(Path.Combine(store, "journal"), failure);
            Assert.Contains("read-only", failure);
            Assert.Contains("Read-only file system", failure);

            var snapshots = Persistence.Instance.Apply(second).SnapshotStoreFor(null);
            snapshots.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 3, DateTime.UtcNow), "state at 3"), reporter.Ref);
            Assert.Contains(Path.Combine(store, "snapshots"), reporter.FishForMessage<SaveSnapshotFailure>(_ => true, Slow).Cause.Message);

            var persistence = Persistence.Instance.Apply(second);
            var journalHealth = persistence.CheckJournalHealthAsync(null!).Result;
            Assert.Equal(PersistenceHealthStatus.Unhealthy, journalHealth.Status);
            Assert.Contains("read-only", journalHealth.Description);
            Assert.Equal(PersistenceHealthStatus.Unhealthy, persistence.CheckSnapshotStoreHealthAsync(null!).Result.Status);
            Assert.Equal(logBytes, File.ReadAllBytes(log));
        }
        finally
        {
            Terminate(second);
        }
    }
}
