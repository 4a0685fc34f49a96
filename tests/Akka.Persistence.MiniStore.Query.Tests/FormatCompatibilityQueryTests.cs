using Akka.Actor;
using Akka.Persistence.MiniStore.Tests;
using Akka.Persistence.MiniStore.Tests.Store;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// The read journal answers for a store written by MiniStore 0.1.0 (tests/TestData/store-0.1.0) exactly what that
/// version answered: events by tag (also after an offset), all events, events by persistence id (also within bounds)
/// and the persistence ids, with the same orderings as offsets, payloads, tags and timestamps.
/// </summary>
public class FormatCompatibilityQueryTests(ITestOutputHelper output) : MiniStoreSpec(output, "akka.persistence.query.journal.ministore.max-buffer-size = 2")
{
    [Fact]
    public async Task A_store_written_by_version_0_1_0_answers_every_query_as_that_version_did()
    {
        FormatCompatibilityTests.CopyOfFixture(StoreDirectory);
        var queries = PersistenceQuery.Get(Sys).ReadJournalFor<MiniStoreReadJournal>(MiniStoreReadJournal.Identifier);
        var materializer = Sys.Materializer();
        async Task Check(string kind, Source<EventEnvelope, NotUsed> source)
        {
            var envelopes = await source.RunWith(Sink.Seq<EventEnvelope>(), materializer).WaitAsync(TimeSpan.FromSeconds(30));
            var expected = FormatCompatibilityTests.Expected(kind);
            Assert.Equal(expected.Select(e => $"{e.GetProperty("pid").GetString()}/{e.GetProperty("seq").GetInt64()}@{e.GetProperty("offset").GetInt64()}:{e.GetProperty("payload").GetString()}"),
                envelopes.Select(e => $"{e.PersistenceId}/{e.SequenceNr}@{((Sequence)e.Offset).Value}:{e.Event}"));
            Assert.Equal(expected.Select(e => string.Join(",", e.GetProperty("tags").EnumerateArray().Select(t => t.GetString()))), envelopes.Select(e => string.Join(",", e.Tags)));
            Assert.Equal(expected.Select(e => e.GetProperty("timestamp").GetInt64()), envelopes.Select(e => e.Timestamp));
        }
        await Check("tag:reading", queries.CurrentEventsByTag("reading", Offset.NoOffset()));
        await Check("tag:meter", queries.CurrentEventsByTag("meter", Offset.NoOffset()));
        await Check("tag:reading after 4", queries.CurrentEventsByTag("reading", Offset.Sequence(4)));
        await Check("all", queries.CurrentAllEvents(Offset.NoOffset()));
        await Check("pid:sensor-1", queries.CurrentEventsByPersistenceId("sensor-1", 0, long.MaxValue));
        await Check("pid:meter/7 2..2", queries.CurrentEventsByPersistenceId("meter/7", 2, 2));
        var ids = await queries.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), materializer).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(FormatCompatibilityTests.Expected("persistence-ids").Select(e => e.GetProperty("pid").GetString()), ids);
    }
}
