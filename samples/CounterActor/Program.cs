using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.MiniStore;
using CounterSample;

// Run it twice: the second run starts from the value the first one left on disk.
var config = ConfigurationFactory.ParseString("""
    akka.loglevel = WARNING
    akka.persistence.journal.plugin = "akka.persistence.journal.ministore"
    akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.ministore"
    """).WithFallback(MiniStorePersistence.DefaultConfiguration());

const string persistenceId = "counter-1";
using var system = ActorSystem.Create("counter-sample", config);
var counter = system.ActorOf(Props.Create(() => new Counter(persistenceId)), "counter");

var before = await counter.Ask<CounterValue>(new GetValue(), TimeSpan.FromSeconds(30));
Console.WriteLine($"Recovered value {before.Value} at sequence number {before.SequenceNr}, from {before.RecoveredFrom}.");

foreach (var by in new[] { 1, 2, 3 })
    counter.Tell(new Increment(by));
var after = await counter.Ask<CounterValue>(new GetValue(), TimeSpan.FromSeconds(30));
Console.WriteLine($"Incremented by 1, 2 and 3: value is now {after.Value} (sequence number {after.SequenceNr}).");

string journal = Path.GetFullPath(Path.Combine("ministore", "journal", PersistenceIdFileName.For(persistenceId) + ".jsonl"));
Console.WriteLine($"Events are in {journal}");
Console.WriteLine($"Read them with:  jq -c .rec '{journal}'");
Console.WriteLine("Run again to see the value recovered from disk.");

await system.Terminate();
