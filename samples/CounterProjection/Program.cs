using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Query;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using CounterProjection;
using CounterSample;

// A read-side projection over the Counter sample's events. Each run changes two counters, then the projection
// catches up from the offset it saved last time. Run it twice: the second run starts where the first stopped.
var config = ConfigurationFactory.ParseString("""
    akka.loglevel = WARNING
    akka.persistence.journal.plugin = "akka.persistence.journal.ministore"
    akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.ministore"
    akka.persistence.journal.ministore {
      directory = "ministore-projection/journal"
      event-adapters.counter-tagger = "CounterProjection.CounterTagger, CounterProjection"
      event-adapter-bindings {
        "CounterSample.Incremented, CounterActor" = counter-tagger
        "CounterSample.ValueSet, CounterActor" = counter-tagger
      }
    }
    akka.persistence.snapshot-store.ministore.directory = "ministore-projection/snapshots"
    """).WithFallback(MiniStorePersistence.DefaultConfiguration());

using var system = ActorSystem.Create("counter-projection", config);

// The write side: two counters change.
foreach (var (id, by) in new[] { ("counter-a", 1), ("counter-b", 10) })
{
    var counter = system.ActorOf(Props.Create(() => new Counter(id)), id);
    counter.Tell(new Increment(by));
    counter.Tell(new Increment(by * 2));
    await counter.Ask<CounterValue>(new GetValue(), TimeSpan.FromSeconds(30)); // both increments are stored
}

// The read side: every "counter" event after the saved offset, in the order stored.
const string modelPath = "ministore-projection/counter-totals.json";
var totals = CounterTotals.Load(modelPath);
Console.WriteLine($"Projection resumes after offset {totals.Offset}.");
var queries = PersistenceQuery.Get(system).ReadJournalFor<MiniStoreReadJournal>(MiniStoreReadJournal.Identifier);
var offset = totals.Offset == 0 ? NoOffset.Instance : Offset.Sequence(totals.Offset);
int applied = 0;
await queries.CurrentEventsByTag(CounterTagger.Tag, offset)
    .RunForeach(envelope =>
    {
        totals.Apply(envelope.PersistenceId, envelope.Event, ((Sequence)envelope.Offset).Value);
        totals.Save(modelPath); // model and offset in one atomic step
        applied++;
        Console.WriteLine($"  {envelope.PersistenceId} #{envelope.SequenceNr}: {envelope.Event} (offset {((Sequence)envelope.Offset).Value})");
    }, system.Materializer());

Console.WriteLine($"Applied {applied} events; the read model now says:");
foreach (var (id, value) in totals.Values.OrderBy(v => v.Key))
    Console.WriteLine($"  {id} = {value} after {totals.Changes[id]} changes");
Console.WriteLine($"Saved in {Path.GetFullPath(modelPath)}. Run again: only the new events are applied.");
// A live projection would use EventsByTag instead: it never completes, and sees each new event as it is stored.

await system.Terminate();
