using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.MiniStore;
using MiniStore.CrashWriter;

namespace MiniStore.CrashCampaign;

/// <summary>
/// Checks a crash store against what the writer acknowledged and what the schedule puts at each sequence number.
/// Every persistence id is replayed through the plugin twice, once ignoring snapshots and once from the latest
/// snapshot: every acknowledged event is there, in order, with no gap and no duplicate, each batch is whole or absent,
/// and both recoveries reach the same state. Every snapshot file reads, and none that a deletion removed is back.
/// </summary>
internal sealed class StoreVerifier(IEnumerable<PidState> pids)
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    public async Task VerifyAsync(string store, string label)
    {
        var system = ActorSystem.Create("crash-verify", CrashStoreConfig.For(store));
        try
        {
            foreach (var pid in pids)
            {
                var all = await ReplayAsync(system, pid.Pid, new Recovery(SnapshotSelectionCriteria.None), $"{label}, {pid.Pid}");
                var fromSnapshot = await ReplayAsync(system, pid.Pid, Recovery.Default, $"{label}, {pid.Pid}");
                Check(pid, all, fromSnapshot, $"{label}, {pid.Pid}");
                CheckSnapshotFiles(store, pid, $"{label}, {pid.Pid}");
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static void Check(PidState pid, Replay all, Replay fromSnapshot, string at)
    {
        long highest = all.Highest;
        var events = all.Events;

        // Every acknowledged event is there: none beyond the end, and no gap below it.
        Require.That(pid.MaxAcked <= highest, $"{at}: event {pid.MaxAcked} was acknowledged but the journal ends at {highest}: acknowledged events were lost");
        if (pid.HighestAfterTear is { } expected)
            Require.That(highest == expected, $"{at}: after tearing the batch that starts at {expected + 1}, replay should end at {expected}, not {highest}");
        pid.HighestAfterTear = null;

        long deletedTo = events.Count > 0 ? events[0].Seq - 1 : highest;
        Require.That(deletedTo == 0 || pid.DeleteRequested.Contains(deletedTo), $"{at}: replay starts at {deletedTo + 1}, but deleting up to {deletedTo} was never asked for");
        Require.That(deletedTo >= pid.DeletedToConfirmed, $"{at}: deleting up to {pid.DeletedToConfirmed} was acknowledged but replay starts at {deletedTo + 1}");
        Require.That(deletedTo < highest || highest == 0, $"{at}: every event up to {highest} is deleted, but deletions only go up to an earlier snapshot");

        // In order, no gaps, no duplicates, each the event the schedule puts there.
        for (int i = 0; i < events.Count; i++)
        {
            var (seq, e) = events[i];
            Require.That(seq == deletedTo + 1 + i, $"{at}: replayed sequence number {seq} at position {i}, expected {deletedTo + 1 + i} (gap, duplicate or disorder)");
            Require.That(e == pid.Expected.At(seq), $"{at}: sequence number {seq} holds {e}, expected {pid.Expected.At(seq)}");
        }
        Require.That(highest == deletedTo + events.Count, $"{at}: the highest sequence number is {highest}, but replay ends at {deletedTo + events.Count}");

        // Batches are whole or absent: replay starts at the start of a command and ends at the end of one.
        if (events.Count > 0)
        {
            Require.That(events[0].Event.BatchIndex == 0, $"{at}: replay starts inside batch {events[0].Event.BatchId}");
            var lastEvent = events[^1].Event;
            Require.That(lastEvent.BatchIndex == lastEvent.BatchSize - 1,
                $"{at}: replay ends with event {lastEvent.BatchIndex + 1} of the {lastEvent.BatchSize} of batch {lastEvent.BatchId}: part of a PersistAll batch survived");
        }
        foreach (var batch in events.Where(e => e.Event.BatchId is not null).GroupBy(e => e.Event.BatchId))
            Require.That(batch.Count() == CrashSchedule.BatchSize, $"{at}: batch {batch.Key} replays {batch.Count()} of its {CrashSchedule.BatchSize} events");

        // Recovery from the latest snapshot lands on the same state.
        Require.That(fromSnapshot.Highest == highest, $"{at}: recovery from a snapshot ends at {fromSnapshot.Highest}, recovery of all events at {highest}");
        long snapshotAt = 0;
        ulong checksum = CrashSchedule.InitialChecksum;
        if (fromSnapshot.Snapshot is { } offer)
        {
            snapshotAt = offer.Seq;
            Require.That(snapshotAt >= deletedTo && snapshotAt <= highest, $"{at}: snapshot at {snapshotAt} outside {deletedTo}..{highest}");
            Require.That(snapshotAt == offer.State.LastN, $"{at}: snapshot at {snapshotAt} holds the state after event {offer.State.LastN}");
            Require.That(offer.State.Checksum == pid.Expected.ChecksumAt(snapshotAt), $"{at}: snapshot at {snapshotAt} holds a state that differs from the events up to it");
            checksum = offer.State.Checksum;
        }
        else
        {
            Require.That(deletedTo == 0, $"{at}: events up to {deletedTo} are deleted and no snapshot is offered");
        }
        Require.That(events.Where(e => e.Seq > snapshotAt).SequenceEqual(fromSnapshot.Events), $"{at}: recovery from the snapshot at {snapshotAt} replays other events than recovery of all events");
        foreach (var (_, e) in fromSnapshot.Events)
            checksum = CrashSchedule.Fold(checksum, e);
        Require.That(checksum == pid.Expected.ChecksumAt(highest), $"{at}: state recovered from the snapshot at {snapshotAt} differs from the state after all events");

        pid.Highest = highest;
        pid.DeletedTo = deletedTo;
    }

    /// <summary>
    /// Every snapshot file in place (not a left-over ".tmp") holds one intact record, and none at or below an
    /// acknowledged snapshot deletion is back. (The store's own load skips an unreadable snapshot with an error in the
    /// log, so replay alone would not show a damaged one.)
    /// </summary>
    private static void CheckSnapshotFiles(string store, PidState pid, string at)
    {
        string directory = Path.Combine(store, "snapshots", PersistenceIdFileName.For(pid.Pid));
        if (!Directory.Exists(directory))
            return;
        foreach (string path in Directory.EnumerateFiles(directory, "*.snapshot.json"))
        {
            long seq = long.Parse(Path.GetFileName(path).Split('-')[0]);
            Require.That(seq > pid.SnapshotsDeletedUpTo, $"{at}: snapshot '{path}' is there, but deleting snapshots up to {pid.SnapshotsDeletedUpTo} was acknowledged");
            int records = 0;
            try
            {
                using var log = MiniStoreLog.Open(path, readOnly: true);
                Require.That(log.TornTail is null, $"{at}: snapshot '{path}' ends in a torn tail: {log.TornTail?.Reason}");
                records = log.Read().Count();
            }
            catch (Exception e)
            {
                throw new CampaignFailure($"{at}: snapshot '{path}' cannot be read: {e.Message}");
            }
            Require.That(records == 1, $"{at}: snapshot '{path}' holds {records} complete records, expected 1");
        }
    }

    private static async Task<Replay> ReplayAsync(ActorSystem system, string pid, Recovery recovery, string label)
    {
        var done = new TaskCompletionSource<Replay>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new ReplayActor(pid, recovery, done)));
        try
        {
            return await done.Task.WaitAsync(RecoveryTimeout);
        }
        catch (TimeoutException)
        {
            throw new CampaignFailure($"{label}: recovery did not complete within {RecoveryTimeout.TotalSeconds} s");
        }
        catch (InvalidOperationException e)
        {
            throw new CampaignFailure($"{label}: {e.Message}");
        }
    }

    private sealed record Replay(long Highest, (long Seq, CrashSnapshot State)? Snapshot, List<(long Seq, CrashEvent Event)> Events);

    /// <summary>Recovers a persistence id and reports what was replayed, then stops.</summary>
    private sealed class ReplayActor : ReceivePersistentActor
    {
        private readonly Recovery _recovery;
        private readonly TaskCompletionSource<Replay> _done;
        private readonly List<(long, CrashEvent)> _events = new();
        private (long, CrashSnapshot)? _snapshot;

        public ReplayActor(string persistenceId, Recovery recovery, TaskCompletionSource<Replay> done)
        {
            PersistenceId = persistenceId;
            _recovery = recovery;
            _done = done;
            Recover<SnapshotOffer>(offer => _snapshot = (offer.Metadata.SequenceNr, (CrashSnapshot)offer.Snapshot));
            Recover<CrashEvent>(e => _events.Add((LastSequenceNr, e)));
            Recover<RecoveryCompleted>(_ =>
            {
                _done.TrySetResult(new Replay(LastSequenceNr, _snapshot, _events));
                Context.Stop(Self);
            });
            CommandAny(_ => { });
        }

        public override string PersistenceId { get; }
        public override Recovery Recovery => _recovery;

        protected override void OnRecoveryFailure(Exception reason, object? message = null)
        {
            _done.TrySetException(new InvalidOperationException($"recovery of '{PersistenceId}' failed (a log does not open): {reason.Message}", reason));
            base.OnRecoveryFailure(reason, message);
        }
    }
}
