using System.Text;
using System.Text.Json.Nodes;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using MiniStore;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// A current query ends at what was stored when it started, and completes there whatever the chunking: also when the
/// last chunk is full (the count a multiple of max-buffer-size) and the consumer asks for exactly the count, so that
/// no further read, and no further demand, is needed to find the end.
/// </summary>
public sealed class CurrentQueryEndTests(ITestOutputHelper output) : QuerySpec(output, ReadJournals)
{
    private static readonly int[] BufferSizes = [1, 2, 3];

    // One read journal per max-buffer-size, all on this system's journal.
    private static readonly string ReadJournals = string.Join("\n", BufferSizes.Select(size => $$"""
        akka.persistence.query.journal.ministore-{{size}} {
          class = "Akka.Persistence.MiniStore.Query.MiniStoreReadJournalProvider, Akka.Persistence.MiniStore.Query"
          max-buffer-size = {{size}}
        }
        """));

    public static TheoryData<int> Counts => new(Enumerable.Range(0, 8));

    private MiniStoreReadJournal QueriesWithBuffer(int size) =>
        PersistenceQuery.Get(Sys).ReadJournalFor<MiniStoreReadJournal>($"akka.persistence.query.journal.ministore-{size}");

    [Theory]
    [MemberData(nameof(Counts))]
    public void Current_event_queries_complete_when_the_demand_is_exactly_the_count(int count)
    {
        var writer = WriterFor("a");
        for (int i = 1; i <= count; i++)
            Tell(writer, $"green {i}");
        Write("other", "red"); // stored after "a"'s events: the tag and offset select exactly the count

        foreach (int size in BufferSizes)
        {
            var queries = QueriesWithBuffer(size);
            ExpectCountThenComplete(queries.CurrentEventsByTag("green", NoOffset.Instance), count, $"CurrentEventsByTag, max-buffer-size {size}");
            ExpectCountThenComplete(queries.CurrentAllEvents(NoOffset.Instance).Where(e => e.PersistenceId == "a"), count, $"CurrentAllEvents, max-buffer-size {size}", extra: 1);
            ExpectCountThenComplete(queries.CurrentAllEvents(Offset.Sequence(1)), count, $"CurrentAllEvents from an offset, max-buffer-size {size}");
            ExpectCountThenComplete(queries.CurrentEventsByPersistenceId("a", 0, long.MaxValue), count, $"CurrentEventsByPersistenceId, max-buffer-size {size}");
        }
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void Current_persistence_ids_completes_when_the_demand_is_exactly_the_count(int count)
    {
        for (int i = 1; i <= count; i++)
            Write($"id-{i}", "e");
        foreach (int size in BufferSizes)
            ExpectCountThenComplete(QueriesWithBuffer(size).CurrentPersistenceIds(), count, $"CurrentPersistenceIds, max-buffer-size {size}");
    }

    /// <summary>
    /// Requests exactly <paramref name="count"/> elements (plus <paramref name="extra"/> that a filter after the query
    /// drops), takes them and expects completion without asking for more.
    /// </summary>
    private void ExpectCountThenComplete<T>(Source<T, NotUsed> query, int count, string what, int extra = 0)
    {
        var probe = Run(query);
        try
        {
            if (count + extra > 0)
                probe.Request(count + extra);
            else
                probe.EnsureSubscription();
            if (count > 0)
                Assert.Equal(count, probe.ExpectNextN(count, TimeSpan.FromSeconds(10)).Count());
            probe.ExpectComplete();
        }
        catch (Exception e) when (e is not XunitException { Message: var m } || !m.StartsWith(what, StringComparison.Ordinal))
        {
            probe.Cancel();
            throw new XunitException($"{what}, {count} elements: {e.Message}");
        }
    }

    [Fact]
    public void Current_query_delivers_no_record_of_a_batch_that_was_unfinished_when_it_started()
    {
        Write("a", "a-1", "a-2");
        // The first line of a two-event batch is on disk, its last line not yet: a write in progress when the query starts.
        var (first, second) = BatchLines("a", 3);
        AppendBytes(EventLogPath("a"), first);

        var probe = Run(QueriesWithBuffer(1).CurrentEventsByPersistenceId("a", 0, long.MaxValue));
        probe.Request(1);
        ExpectEnvelope(probe, "a", 1, "a-1");
        AppendBytes(EventLogPath("a"), second); // the batch is complete now, but was not when the query started
        probe.Request(10);
        ExpectEnvelope(probe, "a", 2, "a-2");
        probe.ExpectComplete();

        // A query started now sees the whole batch.
        Assert.Equal(["a/1:a-1@1", "a/2:a-2@2", "a/3:a-3@3", "a/4:a-4@4"], Collect(Queries.CurrentEventsByPersistenceId("a", 0, long.MaxValue)));
    }

    /// <summary>The two lines of a batch of events <paramref name="sequenceNr"/> and the one after, written like the journal writes them (a copy of the id's last event, renumbered).</summary>
    private (byte[] First, byte[] Second) BatchLines(string persistenceId, long sequenceNr)
    {
        string last;
        using (var log = MiniStoreLog.Open(EventLogPath(persistenceId), readOnly: true))
            last = Encoding.UTF8.GetString(log.LastRecordAtOpen!.Value.Json.Span);
        byte[] Renumbered(long seq)
        {
            var record = JsonNode.Parse(last)!.AsObject();
            record["seq"] = seq;
            record["ord"] = 1000 + seq; // above every ordering the journal handed out; this test reads by persistence id
            record["payload"] = $"{persistenceId}-{seq}";
            return Encoding.UTF8.GetBytes(record.ToJsonString());
        }
        string scratch = Path.Combine(StoreDirectory, "scratch.jsonl");
        using (var log = MiniStoreLog.Open(scratch))
            log.Append(Renumbered(sequenceNr), Renumbered(sequenceNr + 1));
        var bytes = File.ReadAllBytes(scratch);
        File.Delete(scratch);
        int split = Array.IndexOf(bytes, (byte)'\n') + 1;
        return (bytes[..split], bytes[split..]);
    }

    private static void AppendBytes(string path, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        file.Write(bytes);
    }
}
