using Akka.Actor;
using Akka.Persistence;

namespace MiniStore.CrashWriter;

/// <summary>
/// Persists the events of <see cref="CrashSchedule"/> forever, one command at a time: a single <c>Persist</c> or a
/// <c>PersistAll</c> of a batch. After each event's handler (that is, after the journal acknowledged the write) it
/// prints <c>ACK &lt;pid&gt; &lt;seq&gt;</c>. Every 50 events it saves a snapshot, and every other snapshot it deletes
/// the events up to the previous snapshot and, once that is acknowledged, the snapshots before that one.
/// <para>Lines: <c>RECOVERED pid lastSeq checksum</c>, <c>ACK pid seq</c>, <c>SNAPSHOT pid seq</c>,
/// <c>DELETE pid toSeq</c> (requested), <c>DELETED pid toSeq</c> (acknowledged),
/// <c>SNAPSHOTS-DELETED pid maxSeq</c> (acknowledged), <c>ERROR pid text</c>.</para>
/// </summary>
public sealed class CrashWriterActor : ReceivePersistentActor
{
    public const int SnapshotEvery = 50;

    private sealed class Next
    {
        public static readonly Next Instance = new();
    }

    private ulong _checksum = CrashSchedule.InitialChecksum;
    private long _lastN;
    private long _snapshotBucket;
    private long _lastSnapshot; // sequence number of the latest snapshot known to be saved, 0 when none

    public CrashWriterActor(string persistenceId)
    {
        PersistenceId = persistenceId;

        Recover<SnapshotOffer>(offer =>
        {
            var snapshot = (CrashSnapshot)offer.Snapshot;
            if (snapshot.LastN != offer.Metadata.SequenceNr)
                Error($"snapshot at {offer.Metadata.SequenceNr} holds state after event {snapshot.LastN}");
            _lastN = snapshot.LastN;
            _checksum = snapshot.Checksum;
            _lastSnapshot = offer.Metadata.SequenceNr;
        });
        Recover<CrashEvent>(Apply);
        Recover<RecoveryCompleted>(_ =>
        {
            if (_lastN != LastSequenceNr)
                Error($"recovered state is after event {_lastN} but the last sequence number is {LastSequenceNr}");
            Output.Line($"RECOVERED {PersistenceId} {LastSequenceNr} {_checksum:x16}");
            _snapshotBucket = LastSequenceNr / SnapshotEvery;
            Self.Tell(Next.Instance);
        });

        Command<Next>(_ => PersistNext());
        Command<SaveSnapshotSuccess>(success =>
        {
            long seq = success.Metadata.SequenceNr;
            Output.Line($"SNAPSHOT {PersistenceId} {seq}");
            // Saves can complete out of order; delete only up to an earlier snapshot, never past this one.
            if (_lastSnapshot > 0 && _lastSnapshot < seq && seq / SnapshotEvery % 2 == 0)
            {
                Output.Line($"DELETE {PersistenceId} {_lastSnapshot}");
                DeleteMessages(_lastSnapshot);
            }
            _lastSnapshot = Math.Max(_lastSnapshot, seq);
        });
        Command<DeleteMessagesSuccess>(success =>
        {
            Output.Line($"DELETED {PersistenceId} {success.ToSequenceNr}");
            // Recovery needs the snapshot at the deleted-to mark (or a later one); the older ones can go.
            DeleteSnapshots(new SnapshotSelectionCriteria(success.ToSequenceNr - 1));
        });
        Command<DeleteSnapshotsSuccess>(success => Output.Line($"SNAPSHOTS-DELETED {PersistenceId} {success.Criteria.MaxSequenceNr}"));
        Command<DeleteSnapshotsFailure>(failure => Error($"deleting snapshots up to {failure.Criteria.MaxSequenceNr} failed: {failure.Cause.Message}"));
        Command<SaveSnapshotFailure>(failure => Error($"snapshot {failure.Metadata.SequenceNr} failed: {failure.Cause.Message}"));
        Command<DeleteMessagesFailure>(failure => Error($"deleting to {failure.ToSequenceNr} failed: {failure.Cause.Message}"));
    }

    public override string PersistenceId { get; }

    private void PersistNext()
    {
        var events = CrashSchedule.CommandAt(PersistenceId, _lastN + 1);
        if (events.Count == 1)
            Persist(events[0], Handle);
        else
            PersistAll(events, Handle);
    }

    private void Handle(CrashEvent e)
    {
        Apply(e);
        Output.Line($"ACK {PersistenceId} {LastSequenceNr}");
        if (e.BatchIndex != e.BatchSize - 1)
            return; // more events of this batch follow
        if (LastSequenceNr / SnapshotEvery > _snapshotBucket)
        {
            _snapshotBucket = LastSequenceNr / SnapshotEvery;
            SaveSnapshot(new CrashSnapshot(_lastN, _checksum));
        }
        Self.Tell(Next.Instance);
    }

    private void Apply(CrashEvent e)
    {
        if (e.Pid != PersistenceId || e.N != LastSequenceNr || e.N != _lastN + 1)
            Error($"event {e} arrived at sequence number {LastSequenceNr} after event {_lastN}");
        _lastN = e.N;
        _checksum = CrashSchedule.Fold(_checksum, e);
    }

    private void Error(string text) => Output.Line($"ERROR {PersistenceId} {text}");

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Error($"persist of {sequenceNr} failed: {cause.Message}");
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Error($"persist of {sequenceNr} rejected: {cause.Message}");
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Error($"recovery failed: {reason.Message}");
        base.OnRecoveryFailure(reason, message);
    }
}
