using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace CounterSample;

public sealed record Increment(int By);
public sealed record SetValue(int Value);
public sealed record GetValue;
public sealed record CounterValue(int Value, long SequenceNr, string RecoveredFrom);

public sealed record Incremented(int By);
public sealed record ValueSet(int Value);
public sealed record CounterSnapshot(int Value);

/// <summary>A counter whose value survives restarts: every change is an event, with a snapshot every <see cref="SnapshotEvery"/> events.</summary>
public sealed class Counter : ReceivePersistentActor
{
    public const int SnapshotEvery = 5;
    private int _value;
    private string _recoveredFrom = "nothing (new counter)";
    private long _snapshotAt;
    private int _eventsReplayed;

    public Counter(string persistenceId)
    {
        PersistenceId = persistenceId;

        Recover<SnapshotOffer>(offer =>
        {
            _value = ((CounterSnapshot)offer.Snapshot).Value;
            _snapshotAt = offer.Metadata.SequenceNr;
        });
        Recover<Incremented>(e => { Apply(e); _eventsReplayed++; });
        Recover<ValueSet>(e => { Apply(e); _eventsReplayed++; });
        Recover<RecoveryCompleted>(_ =>
        {
            if (_snapshotAt > 0 || _eventsReplayed > 0)
                _recoveredFrom = _snapshotAt > 0
                    ? $"disk: snapshot at event {_snapshotAt} + {_eventsReplayed} events replayed"
                    : $"disk: {_eventsReplayed} events replayed, no snapshot yet";
        });

        Command<Increment>(cmd => Persist(new Incremented(cmd.By), e => { Apply(e); AfterPersist(); }));
        Command<SetValue>(cmd => Persist(new ValueSet(cmd.Value), e => { Apply(e); AfterPersist(); }));
        Command<GetValue>(_ => Sender.Tell(new CounterValue(_value, LastSequenceNr, _recoveredFrom)));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => Context.GetLogger().Error(f.Cause, "Snapshot failed"));
    }

    public override string PersistenceId { get; }

    private void Apply(Incremented e) => _value += e.By;
    private void Apply(ValueSet e) => _value = e.Value;

    private void AfterPersist()
    {
        if (LastSequenceNr % SnapshotEvery == 0)
            SaveSnapshot(new CounterSnapshot(_value));
    }
}
