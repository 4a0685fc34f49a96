using Akka.Actor;
using Akka.Persistence.MiniStore.Tests.Journal;

namespace Akka.Persistence.MiniStore.Tests.Faults;

/// <summary>
/// A persistent actor for the fault tests: persists each string (or an <see cref="ExplodingPayload"/>, which its serializer refuses) it is sent, saves and
/// deletes on request, and reports every outcome, failures included, to <c>reporter</c>.
/// </summary>
internal sealed class FaultProbeActor : ReceivePersistentActor
{
    public sealed record Recovered(string Pid, long LastSequenceNr, long? SnapshotAt, IReadOnlyList<(long Seq, string Event)> Events);
    public sealed record RecoveryFailed(string Pid, string Message);
    public sealed record Persisted(string Pid, long Seq, string Event);
    public sealed record PersistFailed(string Pid, long Seq, string Message);
    public sealed record PersistRejected(string Pid, long Seq, string Message);
    public sealed record TakeSnapshot(string State);
    public sealed record DeleteEventsTo(long SequenceNr);
    public sealed record DeleteSnapshotsTo(long SequenceNr);

    private readonly IActorRef _reporter;
    private readonly List<(long, string)> _events = new();
    private long? _snapshotAt;

    public FaultProbeActor(string persistenceId, IActorRef reporter)
    {
        PersistenceId = persistenceId;
        _reporter = reporter;
        Recover<SnapshotOffer>(offer => _snapshotAt = offer.Metadata.SequenceNr);
        Recover<string>(e => _events.Add((LastSequenceNr, e)));
        Recover<RecoveryCompleted>(_ => _reporter.Tell(new Recovered(PersistenceId, LastSequenceNr, _snapshotAt, _events.ToList())));

        Command<string>(e => Persist(e, stored => _reporter.Tell(new Persisted(PersistenceId, LastSequenceNr, stored))));
        Command<ExplodingPayload>(e => Persist(e, _ => _reporter.Tell(new Persisted(PersistenceId, LastSequenceNr, "exploding"))));
        Command<TakeSnapshot>(s => SaveSnapshot(s.State));
        Command<DeleteEventsTo>(d => DeleteMessages(d.SequenceNr));
        Command<DeleteSnapshotsTo>(d => DeleteSnapshots(new SnapshotSelectionCriteria(d.SequenceNr)));
        Command<SaveSnapshotSuccess>(m => _reporter.Tell(m));
        Command<SaveSnapshotFailure>(m => _reporter.Tell(m));
        Command<DeleteMessagesSuccess>(m => _reporter.Tell(m));
        Command<DeleteMessagesFailure>(m => _reporter.Tell(m));
        Command<DeleteSnapshotsSuccess>(m => _reporter.Tell(m));
        Command<DeleteSnapshotsFailure>(m => _reporter.Tell(m));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, IActorRef reporter) => Akka.Actor.Props.Create(() => new FaultProbeActor(persistenceId, reporter));

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _reporter.Tell(new PersistFailed(PersistenceId, sequenceNr, cause.ToString()));
        base.OnPersistFailure(cause, @event, sequenceNr); // stops the actor
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _reporter.Tell(new PersistRejected(PersistenceId, sequenceNr, cause.ToString()));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _reporter.Tell(new RecoveryFailed(PersistenceId, reason.ToString()));
        base.OnRecoveryFailure(reason, message);
    }
}
