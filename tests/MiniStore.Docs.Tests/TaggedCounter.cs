using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace MiniStore.Docs.Tests;

/// <summary>A persistent actor that stores each number it is sent, tagged "counter", and answers "stored" once it is.</summary>
public sealed class TaggedCounter : ReceivePersistentActor
{
    public TaggedCounter(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<int>(_ => { });
        Command<int>(n => Persist(new Tagged(n, ["counter"]), _ => Sender.Tell("stored")));
    }

    public override string PersistenceId { get; }
}
