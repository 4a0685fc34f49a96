using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.MiniStore;
using CounterSample;

// Run it twice: the second run starts from the value the first one left on disk.
var config = ConfigurationFactory.ParseString("""
    akka.loglevel = WARNING
    akka.persistence.journal.plugin = ministore
    akka.persistence.snapshot-store.plugin = ministore-snapshots
    """).WithFallback(MiniStorePersistence.DefaultConfiguration());

const string persistenceId = "counter-1";
using var system = ActorSystem.Create("counter-sample", config);
var counter = system.ActorOf(Props.Create(() => new Counter(persistenceId)), "counter");

await CounterDemo.RunAsync(counter);

string journal = Path.GetFullPath(Path.Combine("ministore", "journal", PersistenceIdFileName.For(persistenceId) + ".jsonl"));
Console.WriteLine($"Events are in {journal}");
Console.WriteLine($"Read them with:  jq -c .rec '{journal}'");
Console.WriteLine("Run again to see the value recovered from disk.");

await system.Terminate();
