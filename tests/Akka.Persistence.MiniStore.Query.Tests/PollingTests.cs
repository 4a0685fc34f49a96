using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// A read journal whose journal runs elsewhere (write-plugin = "", its directory given): nothing tells it about new
/// events, so live queries find them by polling every refresh-interval. Here the writer is another actor system.
/// </summary>
public sealed class PollingTests(ITestOutputHelper output) : QuerySpec(output)
{
    [Fact]
    public void Live_queries_of_a_reader_without_the_journal_poll_for_new_events()
    {
        var reader = ActorSystem.Create("reader", ConfigurationFactory.ParseString($$"""
            akka.persistence.query.journal.ministore {
              write-plugin = ""
              directory = "{{JournalDirectory.Replace("\\", "/")}}"
              refresh-interval = 300ms
            }
            """).WithFallback(MiniStorePersistence.DefaultConfiguration()));
        try
        {
            var queries = PersistenceQuery.Get(reader).ReadJournalFor<MiniStoreReadJournal>(MiniStoreReadJournal.Identifier);
            var materializer = reader.Materializer();
            var writer = Write("a", "a green apple");

            var byTag = queries.EventsByTag("green", NoOffset.Instance).RunWith(this.SinkProbe<EventEnvelope>(), materializer);
            var byId = queries.EventsByPersistenceId("a", 0, long.MaxValue).RunWith(this.SinkProbe<EventEnvelope>(), materializer);
            var ids = queries.PersistenceIds().RunWith(this.SinkProbe<string>(), materializer);
            byTag.Request(10);
            byId.Request(10);
            ids.Request(10);
            ExpectEnvelope(byTag, "a", 1, "a green apple");
            ExpectEnvelope(byId, "a", 1, "a green apple");
            ids.ExpectNext("a");

            Tell(writer, "a green banana");
            Write("b", "a green leaf");
            ExpectEnvelope(byTag, "a", 2, "a green banana");
            ExpectEnvelope(byTag, "b", 1, "a green leaf");
            ExpectEnvelope(byId, "a", 2, "a green banana");
            ids.ExpectNext("b");
            byTag.Cancel();
            byId.Cancel();
            ids.Cancel();
        }
        finally
        {
            reader.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }
}
