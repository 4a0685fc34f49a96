using Akka.Persistence.MiniStore.Tests;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;
using Xunit;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// One damaged log does not take every query down: with a garbage line in one persistence id's log, the journal
/// starts again, queries that need none of that id's unreadable events complete, persistence ids are still listed,
/// orderings go on above every one stored, and a query that reaches an event it cannot read delivers the events
/// before it and then fails naming the file and the line.
/// </summary>
public sealed class DamagedLogQueryTests : IDisposable
{
    private readonly string _directory = MiniStoreSpec.NewDirectory();

    public enum Damage { MiddleLine, LastCompleteLine }

    private string BadLog => Path.Combine(_directory, "journal", PersistenceIdFileName.For("bad") + ".jsonl");
    private string Index => Path.Combine(_directory, "journal", "index", "events.jsonl");

    /// <summary>Orderings 1..3 for x and y, then bad's three events (4..6, the highest); then a garbage line in bad's log. Returns the damaged line's number.</summary>
    private int WriteAndDamage(Damage damage)
    {
        using (var store = new StoreSystem(_directory))
        {
            store.Write("x", "x green 1");
            store.Write("y", "y blue 1");
            store.Write("x", "x blue 2");
            store.Write("bad", "bad green 1", "bad green 2", "bad green 3");
        }
        var lines = File.ReadAllLines(BadLog).ToList();
        int damaged = damage == Damage.MiddleLine ? 2 : 4;
        lines.Insert(damaged - 1, "this line is not a MiniStore log line");
        File.WriteAllLines(BadLog, lines);
        return damaged;
    }

    [Theory]
    [InlineData(Damage.MiddleLine)]
    [InlineData(Damage.LastCompleteLine)]
    public void Only_queries_that_reach_the_damaged_events_fail_and_they_name_file_and_line(Damage damage)
    {
        int damagedLine = WriteAndDamage(damage);
        using var store = new StoreSystem(_directory);

        Assert.Equal(["y/1:y blue 1@2", "x/2:x blue 2@3"], store.Collect(store.Queries.CurrentEventsByTag("blue", NoOffset.Instance)));
        Assert.Equal(["bad", "x", "y"], store.CurrentIds().Order(StringComparer.Ordinal));
        store.Write("x", "x blue 3");
        Assert.Equal(["x/3:x blue 3@7"], store.Collect(store.Queries.CurrentAllEvents(Offset.Sequence(6))));
        Assert.Equal(["y/1:y blue 1@2", "x/2:x blue 2@3", "x/3:x blue 3@7"], store.Collect(store.Queries.CurrentEventsByTag("blue", NoOffset.Instance)));

        // bad's first event is readable when the damage is further on: it is delivered before the failure.
        var beforeDamage = damage == Damage.MiddleLine ? new[] { "bad/1:bad green 1@4" } : [];
        ExpectFailureAfter(store, store.Queries.CurrentEventsByTag("green", NoOffset.Instance), ["x/1:x green 1@1", .. beforeDamage], damagedLine);
        ExpectFailureAfter(store, store.Queries.CurrentAllEvents(NoOffset.Instance), ["x/1:x green 1@1", "y/1:y blue 1@2", "x/2:x blue 2@3", .. beforeDamage], damagedLine);
        ExpectFailureAfter(store, store.Queries.CurrentEventsByPersistenceId("bad", 0, long.MaxValue), [.. beforeDamage.Select(e => e.Replace("@4", "@1"))], damagedLine);
    }

    [Theory]
    [InlineData(Damage.MiddleLine)]
    [InlineData(Damage.LastCompleteLine)]
    public void With_the_index_behind_what_can_be_read_is_indexed_and_orderings_stay_above_the_damaged_log(Damage damage)
    {
        int damagedLine = WriteAndDamage(damage);
        File.WriteAllLines(Index, File.ReadAllLines(Index).Take(1)); // the index lost all but x's first event (not fsync'd)
        using var store = new StoreSystem(_directory);

        Assert.Equal(["y/1:y blue 1@2", "x/2:x blue 2@3"], store.Collect(store.Queries.CurrentEventsByTag("blue", NoOffset.Instance)));
        // bad's last event holds the highest ordering (6); its log's end cannot be read when the damage is its last
        // line, and then the ordering is found by reading the log's lines as they are.
        store.Write("y", "y blue 2");
        Assert.Equal(["y/2:y blue 2@7"], store.Collect(store.Queries.CurrentAllEvents(Offset.Sequence(6))));
        if (damage == Damage.MiddleLine)
        {
            // Indexed: bad's event before the damage, and its last (read from the end), which a query cannot reach without the damage.
            Assert.Equal(["bad", "x", "y"], store.CurrentIds().Order(StringComparer.Ordinal));
            ExpectFailureAfter(store, store.Queries.CurrentEventsByTag("green", NoOffset.Instance), ["x/1:x green 1@1", "bad/1:bad green 1@4"], damagedLine);
        }
        else
        {
            // Nothing of bad's log can be read: it is not indexed (the journal logged an error naming it).
            Assert.Equal(["x", "y"], store.CurrentIds().Order(StringComparer.Ordinal));
            Assert.Equal(["x/1:x green 1@1"], store.Collect(store.Queries.CurrentEventsByTag("green", NoOffset.Instance)));
        }
    }

    [Fact]
    public void A_sequence_number_out_of_order_fails_the_query_that_reaches_it_naming_file_and_line()
    {
        using (var first = new StoreSystem(_directory))
            first.Write("a", "a-1", "a-2", "a-3");
        string log = Path.Combine(_directory, "journal", PersistenceIdFileName.For("a") + ".jsonl");
        var lines = File.ReadAllLines(log).ToList();
        lines.Insert(2, lines[1]); // a-2 again, as line 3: every line intact, the order broken
        File.WriteAllLines(log, lines);

        using var store = new StoreSystem(_directory);
        var failure = ExpectFailureAfter(store, store.Queries.CurrentEventsByPersistenceId("a", 0, long.MaxValue), ["a/1:a-1@1", "a/2:a-2@2"], 3, log, "a");
        Assert.Contains("sequence number 2 does not follow 2", failure);
    }

    /// <summary>Runs a current query: it delivers <paramref name="expected"/>, then fails naming the damaged log (bad's unless given), its line and its persistence id.</summary>
    private string ExpectFailureAfter(StoreSystem store, Source<EventEnvelope, NotUsed> query, string[] expected, int damagedLine, string? log = null, string persistenceId = "bad")
    {
        var seen = new List<string>();
        var run = query.RunForeach(e => seen.Add($"{e.PersistenceId}/{e.SequenceNr}:{e.Event}@{((Sequence)e.Offset).Value}"), store.Materializer);
        string failure = Assert.ThrowsAny<Exception>(() => run.Wait(TimeSpan.FromSeconds(30))).ToString();
        Assert.Equal(expected, seen);
        Assert.Contains($"Log '{log ?? BadLog}' is damaged at line {damagedLine}", failure);
        Assert.Contains($"persistence id '{persistenceId}'", failure);
        return failure;
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
