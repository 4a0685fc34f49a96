using System.Text;
using System.Text.Json.Nodes;
using Akka.Persistence.MiniStore.Storage;
using Akka.Persistence.MiniStore.Tests;
using Akka.Persistence.Query;
using Akka.Streams.TestKit;
using Akka.Util;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// Queries go on across compactions of the event index: entries keep their orderings, so a query holding an offset
/// finds its place again in the new file by ordering, and delivers every event not deleted before it got there, once,
/// in order. The store starts with one event at ordering 99,999 and the ids' sequence numbers at 10,000, so that the
/// index lines of the events written here are all of one length: a query's old byte offset then falls on the start of
/// a line in the compacted index, and only its ordering tells that the line there is another one.
/// </summary>
public sealed class IndexCompactionQueryTests : BulkWriteSpec
{
    private const long SeedOrdering = 99_999;
    private readonly string[] _ids = ["a", "b"];
    private readonly List<Dictionary<string, long>> _deletedTo = [new()]; // after each round's deletions; [0]: none

    public IndexCompactionQueryTests(ITestOutputHelper output) : base(output, SeededStore())
    {
        LastOrdering = SeedOrdering;
        foreach (string id in _ids)
            Highest[id] = 9_999;
    }

    /// <summary>A store whose one event, of "seed", has ordering 99,999: the journal goes on above it.</summary>
    private static string SeededStore()
    {
        string directory = MiniStoreSpec.NewDirectory();
        var record = new JsonObject
        {
            ["pid"] = "seed", ["seq"] = 1, ["ord"] = SeedOrdering, ["ts"] = "2026-01-01T00:00:00.0000000Z", ["writer"] = "seed",
            ["manifest"] = "", ["payloadType"] = typeof(string).TypeQualifiedName(), ["payload"] = "seed",
        };
        Directory.CreateDirectory(Path.Combine(directory, "journal"));
        using var log = MiniStoreLog.Open(new StoreLayout(Path.Combine(directory, "journal")).EventLog("seed"));
        log.Append(Encoding.UTF8.GetBytes(record.ToJsonString()));
        return directory;
    }

    [Fact]
    public void Live_and_current_queries_across_index_compactions_deliver_each_event_not_deleted_once_in_order()
    {
        var live = Run(Queries.EventsByTag("green", NoOffset.Instance));
        var liveSeen = new List<(EventEnvelope Envelope, int Round)>();
        TestSubscriber.Probe<EventEnvelope>? current = null;
        var currentSeen = new List<(EventEnvelope Envelope, int Round)>();
        long currentEnd = 0;
        for (int round = 1; round <= 3; round++)
        {
            for (int i = 0; i < 20; i++)
                WriteEvents([("a", 250), ("b", 250)], "green"); // 10,000 events; 9,000 of them deleted below
            // The queries read part of what is there, then the index is compacted under them.
            live.Request(700);
            liveSeen.AddRange(live.ExpectNextN(700, TimeSpan.FromSeconds(30)).Select(e => (e, round)));
            if (round == 2)
            {
                (current, currentEnd) = (Run(Queries.CurrentEventsByTag("green", NoOffset.Instance)), LastOrdering);
                current.Request(300);
                currentSeen.AddRange(current.ExpectNextN(300, TimeSpan.FromSeconds(30)).Select(e => (e, round)));
            }
            long indexBefore = new FileInfo(IndexPath).Length;
            foreach (string id in _ids)
                Delete(id, Highest[id] - 500);
            _deletedTo.Add(_ids.ToDictionary(id => id, id => Highest[id] - 500));
            Assert.True(SpinWait.SpinUntil(() => new FileInfo(IndexPath).Length < indexBefore / 2, TimeSpan.FromSeconds(60)), $"round {round}: the index was not compacted");
        }

        long lastOrdering = _ids.Max(id => Orderings[(id, Highest[id])]);
        live.Request(100_000);
        while (((Sequence)liveSeen[^1].Envelope.Offset).Value < lastOrdering)
            liveSeen.Add((live.ExpectNext(TimeSpan.FromSeconds(30)), 4));
        live.Cancel();
        AssertOnceInOrderPassingOverOnlyDeleted(liveSeen, lastOrdering);
        foreach (string id in _ids) // every event not deleted in the end
            Assert.Equal(Enumerable.Range(1, 500).Select(i => Highest[id] - 500 + i),
                liveSeen.Select(s => s.Envelope).Where(e => e.PersistenceId == id && e.SequenceNr > Highest[id] - 500).Select(e => e.SequenceNr));

        // The current query, started in round 2, completes at its end: nothing stored after it started.
        currentSeen.AddRange(current!.ToStrict(TimeSpan.FromSeconds(30)).Select(e => (e, 4)));
        Assert.All(currentSeen, s => Assert.True(((Sequence)s.Envelope.Offset).Value <= currentEnd, $"{s.Envelope.PersistenceId}/{s.Envelope.SequenceNr} was stored after the current query started"));
        AssertOnceInOrderPassingOverOnlyDeleted(currentSeen, ((Sequence)currentSeen[^1].Envelope.Offset).Value);
    }

    /// <summary>
    /// Each envelope has the ordering its event was stored with, orderings strictly increase (each event once, in
    /// order), and every tagged event a query passed over up to <paramref name="upTo"/> was deleted before it was
    /// passed: by the deletions of the rounds before the one in which the next envelope was delivered.
    /// </summary>
    private void AssertOnceInOrderPassingOverOnlyDeleted(List<(EventEnvelope Envelope, int Round)> seen, long upTo)
    {
        Assert.All(seen, s => Assert.Equal(Orderings[(s.Envelope.PersistenceId, s.Envelope.SequenceNr)], ((Sequence)s.Envelope.Offset).Value));
        var orderings = seen.Select(s => ((Sequence)s.Envelope.Offset).Value).ToList();
        Assert.True(orderings.Zip(orderings.Skip(1)).All(p => p.First < p.Second), "orderings do not strictly increase: an event was delivered twice or out of order");
        var written = Orderings.Where(o => o.Value <= upTo).OrderBy(o => o.Value).ToList();
        int next = 0;
        long previous = 0;
        foreach (var (envelope, round) in seen)
        {
            long ordering = ((Sequence)envelope.Offset).Value;
            for (; next < written.Count && written[next].Value < ordering; next++)
            {
                var ((pid, seq), passed) = written[next];
                Assert.True(passed <= previous || seq <= _deletedTo[round - 1].GetValueOrDefault(pid),
                    $"{pid}/{seq} (ordering {passed}) was passed over before {envelope.PersistenceId}/{envelope.SequenceNr} (delivered in round {round}) though it was not deleted");
            }
            next++;
            previous = ordering;
        }
    }
}
