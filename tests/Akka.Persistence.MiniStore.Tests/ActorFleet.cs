using Akka.Actor;
using Akka.TestKit;
using Xunit;

namespace Akka.Persistence.MiniStore.Tests;

/// <summary>
/// <paramref name="count"/> <see cref="ReportingActor"/>s named <c>{prefix}{i}</c> that live through generations of
/// actor systems: in generation g, actor i recovers exactly the events <c>e1-i</c> … <c>e(g-1)-i</c> its earlier
/// generations persisted, then persists <c>e{g}-i</c> as sequence number g.
/// </summary>
public sealed class ActorFleet(string prefix, int count, TimeSpan patience)
{
    /// <summary>Starts every actor in <paramref name="system"/> and checks that each recovered its earlier generations' events.</summary>
    public IActorRef[] Recover(ActorSystem system, TestProbe reporter, int generation)
    {
        var actors = new IActorRef[count];
        for (int i = 0; i < count; i++)
            actors[i] = system.ActorOf(ReportingActor.Props($"{prefix}{i}", reporter.Ref));
        foreach (var message in reporter.ReceiveN(count, patience))
        {
            if (message is ReportingActor.RecoveryFailed failed)
                throw new Xunit.Sdk.XunitException($"recovery of {failed.PersistenceId} failed: {failed.Cause}");
            var recovered = Assert.IsType<ReportingActor.Recovered>(message);
            string i = recovered.PersistenceId[prefix.Length..];
            Assert.Equal(Enumerable.Range(1, generation - 1).Select(g => $"e{g}-{i}"), recovered.Events);
            Assert.Equal(generation - 1, recovered.LastSequenceNr);
        }
        return actors;
    }

    /// <summary>Has every actor persist this generation's event and checks that each was stored as sequence number <paramref name="generation"/>.</summary>
    public void Persist(IActorRef[] actors, TestProbe reporter, int generation)
    {
        for (int i = 0; i < actors.Length; i++)
            actors[i].Tell($"e{generation}-{i}", reporter.Ref);
        foreach (var message in reporter.ReceiveN(actors.Length, patience))
        {
            if (message is ReportingActor.PersistFailed failed)
                throw new Xunit.Sdk.XunitException($"persisting {failed.Event} of {failed.PersistenceId} failed: {failed.Cause}");
            var persisted = Assert.IsType<ReportingActor.Persisted>(message);
            Assert.Equal(generation, persisted.SequenceNr);
            Assert.Equal($"e{generation}-{persisted.PersistenceId[prefix.Length..]}", persisted.Event);
        }
    }
}
