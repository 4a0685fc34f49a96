using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.MiniStore.Tests;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>An actor system on a given store, for tests that stop the writer and start it again on the same files.</summary>
public sealed class StoreSystem : IDisposable
{
    private readonly Dictionary<string, IActorRef> _writers = new();

    public StoreSystem(string directory, string? extraConfig = null)
    {
        System = ActorSystem.Create("store", MiniStoreSpec.Configuration(directory, (extraConfig ?? "") + "\n" + QuerySpec.AdapterConfig));
        Materializer = System.Materializer();
        Queries = PersistenceQuery.Get(System).ReadJournalFor<MiniStoreReadJournal>(MiniStoreReadJournal.Identifier);
        IndexPath = Path.Combine(directory, "journal", "index", "events.jsonl");
    }

    public ActorSystem System { get; }
    public ActorMaterializer Materializer { get; }
    public MiniStoreReadJournal Queries { get; }
    public string IndexPath { get; }

    /// <summary>Persists the events in turn, each acknowledged before the next is sent.</summary>
    public void Write(string persistenceId, params string[] events)
    {
        if (!_writers.TryGetValue(persistenceId, out var writer))
            _writers[persistenceId] = writer = System.ActorOf(Writer.Props(persistenceId));
        foreach (var e in events)
        {
            var answer = writer.Ask<string>(e, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            if (answer != $"{e}-done") throw new InvalidOperationException(answer);
        }
    }

    /// <summary>Every envelope of a current query, as "pid/seq:event@ordering".</summary>
    public List<string> Collect(Source<EventEnvelope, NotUsed> source) =>
        source.RunWith(Sink.Seq<EventEnvelope>(), Materializer).GetAwaiter().GetResult()
            .Select(e => $"{e.PersistenceId}/{e.SequenceNr}:{e.Event}@{((Sequence)e.Offset).Value}").ToList();

    public List<string> CurrentIds() =>
        Queries.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), Materializer).GetAwaiter().GetResult().ToList();

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(20));
}
