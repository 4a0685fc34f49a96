using Akka.Actor;
using Akka.Persistence.MiniStore.Query;
using Akka.Persistence.Query;
using Akka.Streams;

namespace MiniStore.Docs.Tests.Snippets;

/// <summary>The query package's example: a projection catching up on tagged events from its saved offset.</summary>
public static class QueryQuickStart
{
    public sealed class Projection
    {
        public List<EventEnvelope> Applied { get; } = new();
        public void Apply(EventEnvelope envelope) => Applied.Add(envelope);
    }

    public static async Task RunAsync(ActorSystem system, long savedOffset, Projection projection)
    {
        // begin-snippet: query-quick-start
        var queries = PersistenceQuery.Get(system)
            .ReadJournalFor<MiniStoreReadJournal>(MiniStoreReadJournal.Identifier);
        await queries.CurrentEventsByTag("counter", Offset.Sequence(savedOffset))
            .RunForeach(envelope => projection.Apply(envelope), system.Materializer());
        // end-snippet
    }
}
