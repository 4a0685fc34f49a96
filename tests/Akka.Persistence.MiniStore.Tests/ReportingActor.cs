using Akka.Actor;

namespace Akka.Persistence.MiniStore.Tests;

/// <summary>
/// A persistent actor whose events are strings. It tells <c>reporter</c> how its recovery ended
/// (<see cref="Recovered"/> or <see cref="RecoveryFailed"/>, with the cause Akka gave OnRecoveryFailure) and the
/// outcome of every string it is sent to persist (<see cref="Persisted"/> or <see cref="PersistFailed"/>).
/// </summary>
public sealed class ReportingActor : ReceivePersistentActor
{
    public sealed record Recovered(string PersistenceId, IReadOnlyList<string> Events, long LastSequenceNr);
    public sealed record RecoveryFailed(string PersistenceId, Exception Cause);
    public sealed record Persisted(string PersistenceId, string Event, long SequenceNr);
    public sealed record PersistFailed(string PersistenceId, string Event, Exception Cause);

    private readonly IActorRef _reporter;
    private readonly List<string> _events = new();

    public ReportingActor(string persistenceId, IActorRef reporter)
    {
        PersistenceId = persistenceId;
        _reporter = reporter;
        Recover<string>(e => _events.Add(e));
        Recover<RecoveryCompleted>(_ => _reporter.Tell(new Recovered(PersistenceId, _events.ToList(), LastSequenceNr)));
        Command<string>(e => Persist(e, persisted =>
        {
            _events.Add(persisted);
            _reporter.Tell(new Persisted(PersistenceId, persisted, LastSequenceNr));
        }));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, IActorRef reporter) =>
        Akka.Actor.Props.Create(() => new ReportingActor(persistenceId, reporter));

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _reporter.Tell(new RecoveryFailed(PersistenceId, reason));
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _reporter.Tell(new PersistFailed(PersistenceId, (string)@event, cause));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
