using System.Text.Json.Nodes;
using Akka.Persistence.MiniStore.Tests;
using Akka.Persistence.Query;
using MiniStore;
using Xunit;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// The event index is a cache of the logs: missing, behind (its unsynced tail lost) or damaged, it is rebuilt or
/// caught up on the journal's next start and gives the same answers; orderings go on above every stored one.
/// </summary>
public sealed class IndexRecoveryTests : IDisposable
{
    private readonly string _directory = MiniStoreSpec.NewDirectory();

    private List<string> WriteSomeAndAnswer(StoreSystem store)
    {
        store.Write("a", "hello", "a green apple");
        store.Write("b", "a black car");
        store.Write("a", "a green banana");
        store.Write("c", "a green leaf", "a blue sky");
        return Answers(store);
    }

    private static List<string> Answers(StoreSystem store) =>
    [
        .. store.Collect(store.Queries.CurrentAllEvents(NoOffset.Instance)),
        "--",
        .. store.Collect(store.Queries.CurrentEventsByTag("green", NoOffset.Instance)),
        "--",
        .. store.Collect(store.Queries.CurrentEventsByTag("green", Offset.Sequence(3))),
        "--",
        .. store.CurrentIds(),
    ];

    [Fact]
    public void A_missing_index_is_rebuilt_from_the_logs_with_the_same_answers_and_the_same_bytes()
    {
        List<string> before;
        byte[] indexBefore;
        using (var store = new StoreSystem(_directory))
        {
            before = WriteSomeAndAnswer(store);
            Assert.Equal(["a/1:hello@1", "a/2:a green apple@2", "b/1:a black car@3", "a/3:a green banana@4", "c/1:a green leaf@5", "c/2:a blue sky@6"], before.TakeWhile(l => l != "--"));
            indexBefore = File.ReadAllBytes(store.IndexPath);
        }
        File.Delete(Path.Combine(_directory, "journal", "index", "events.jsonl"));

        using (var store = new StoreSystem(_directory))
        {
            Assert.Equal(before, Answers(store));
            Assert.Equal(indexBefore, File.ReadAllBytes(store.IndexPath));
            store.Write("b", "a green bean");
            Assert.Equal(["b/2:a green bean@7"], store.Collect(store.Queries.CurrentAllEvents(Offset.Sequence(6))));
        }
    }

    [Fact]
    public void An_index_that_lost_its_tail_is_caught_up_and_orderings_go_on_above_every_stored_event()
    {
        List<string> before;
        using (var store = new StoreSystem(_directory))
            before = WriteSomeAndAnswer(store);
        string index = Path.Combine(_directory, "journal", "index", "events.jsonl");
        var lines = File.ReadAllLines(index);
        File.WriteAllLines(index, lines.Take(2)); // as if power was lost before the page cache reached the disk

        using (var store = new StoreSystem(_directory))
        {
            Assert.Equal(before, Answers(store));
            Assert.Equal(lines, File.ReadAllLines(index));
            store.Write("d", "a green dragon");
            Assert.Equal(["d/1:a green dragon@7"], store.Collect(store.Queries.CurrentEventsByTag("green", Offset.Sequence(5))));
        }
    }

    [Fact]
    public void An_empty_index_is_rebuilt()
    {
        List<string> before;
        using (var store = new StoreSystem(_directory))
            before = WriteSomeAndAnswer(store);
        File.WriteAllText(Path.Combine(_directory, "journal", "index", "events.jsonl"), "");
        using (var store = new StoreSystem(_directory))
            Assert.Equal(before, Answers(store));
    }

    [Fact]
    public void A_damaged_index_is_rebuilt()
    {
        List<string> before;
        using (var store = new StoreSystem(_directory))
            before = WriteSomeAndAnswer(store);
        string index = Path.Combine(_directory, "journal", "index", "events.jsonl");
        var lines = File.ReadAllLines(index);
        lines[2] = lines[2].Replace("\"pid\":\"b\"", "\"pid\":\"x\""); // checksum no longer matches, intact lines follow
        File.WriteAllLines(index, lines);
        using (var store = new StoreSystem(_directory))
            Assert.Equal(before, Answers(store));
    }

    [Fact]
    public void A_start_reads_the_index_written_since_the_last_start_and_rebuilds_it_if_damaged_there()
    {
        List<string> before;
        using (var store = new StoreSystem(_directory))
            before = WriteSomeAndAnswer(store);
        string index = Path.Combine(_directory, "journal", "index", "events.jsonl");
        string mark = Path.Combine(_directory, "journal", "index", "checked.jsonl");
        long firstPart = new FileInfo(index).Length;

        // This start reads the whole index (there is no mark yet), then marks it checked.
        using (var store = new StoreSystem(_directory))
        {
            Assert.Equal(before, Answers(store));
            store.Write("d", "a green dragon");
            store.Write("e", "an egg");
        }
        Assert.Equal(firstPart, CheckedTo(mark));

        // Damage after the mark, with an intact line after it: found at the next start, and the index rebuilt.
        var lines = File.ReadAllLines(index);
        Assert.Equal(8, lines.Length);
        string intact = File.ReadAllText(index);
        lines[6] = lines[6].Replace("\"pid\":\"d\"", "\"pid\":\"x\"");
        File.WriteAllLines(index, lines);
        using (var store = new StoreSystem(_directory))
        {
            Assert.Equal(["d/1:a green dragon@7"], store.Collect(store.Queries.CurrentEventsByTag("green", Offset.Sequence(5))));
            Assert.Equal(intact, File.ReadAllText(index));
        }

        // A rebuilt index has no mark: the next start reads it whole and marks it.
        using (var store = new StoreSystem(_directory))
            Assert.Equal(["d/1:a green dragon@7"], store.Collect(store.Queries.CurrentEventsByTag("green", Offset.Sequence(5))));
        long marked = new FileInfo(index).Length;
        Assert.Equal(marked, CheckedTo(mark));

        // Damage before the mark is not looked for again at start (those bytes were fsync'd and read once): a query
        // that reaches it fails, naming the index file.
        lines = File.ReadAllLines(index);
        lines[2] = lines[2].Replace("\"pid\":\"b\"", "\"pid\":\"x\"");
        File.WriteAllLines(index, lines);
        using (var store = new StoreSystem(_directory))
        {
            var failure = Assert.ThrowsAny<Exception>(() => store.Collect(store.Queries.CurrentAllEvents(NoOffset.Instance)));
            Assert.Contains(index, failure.ToString());
            Assert.Contains("line 3", failure.ToString());
        }
        Assert.Equal(marked, CheckedTo(mark));
    }

    [Fact]
    public void Records_without_an_ordering_are_left_out_of_the_index_as_damage_and_the_other_ids_are_indexed()
    {
        using (var store = new StoreSystem(_directory))
        {
            store.Write("b", "a green bean");
            store.Write("a", "hello", "a green apple");
        }
        // Records without "ord" (no released version wrote such records): damage, as the index rebuild reads them.
        StripOrderings(Path.Combine(_directory, "journal", PersistenceIdFileName.For("a") + ".jsonl"));
        Directory.Delete(Path.Combine(_directory, "journal", "index"), recursive: true);

        using (var store = new StoreSystem(_directory))
        {
            Assert.Equal(["b/1:a green bean@1"], store.Collect(store.Queries.CurrentAllEvents(NoOffset.Instance)));
            store.Write("b", "a green pea");
            Assert.Equal(["b/1:a green bean@1", "b/2:a green pea@2"], store.Collect(store.Queries.CurrentEventsByTag("green", NoOffset.Instance)));
        }
    }

    [Fact]
    public void A_damaged_log_does_not_stop_other_ids_being_stored_or_queried_and_a_query_of_it_names_it()
    {
        using (var store = new StoreSystem(_directory))
        {
            store.Write("a", "a green apple", "a green banana");
            store.Write("b", "a black car");
        }
        File.Delete(Path.Combine(_directory, "journal", "index", "events.jsonl"));
        string log = Path.Combine(_directory, "journal", PersistenceIdFileName.For("a") + ".jsonl");
        var lines = File.ReadAllLines(log);
        lines[0] = lines[0].Replace("apple", "apfel"); // checksum no longer matches, an intact line follows
        File.WriteAllLines(log, lines);

        using (var store = new StoreSystem(_directory))
        {
            store.Write("c", "a green leaf");
            store.Write("b", "a black dog");
            // The rebuilt index lists what can be read of a's log: its last event, read from its end. Queries that
            // reach it fail naming the damage; the others go on.
            Assert.Equal(["b/1:a black car@3", "b/2:a black dog@5"], store.Collect(store.Queries.CurrentEventsByTag("black", NoOffset.Instance)));
            Assert.Equal(["c/1:a green leaf@4"], store.Collect(store.Queries.CurrentEventsByTag("green", Offset.Sequence(2))));
            var failure = Assert.ThrowsAny<Exception>(() => store.Collect(store.Queries.CurrentEventsByTag("green", NoOffset.Instance)));
            Assert.Contains($"Log '{log}' is damaged at line 1", failure.ToString());
            failure = Assert.ThrowsAny<Exception>(() => store.Collect(store.Queries.CurrentEventsByPersistenceId("a", 0, long.MaxValue)));
            Assert.Contains($"Log '{log}' is damaged at line 1", failure.ToString());
            // Orderings went on above every readable log (a's last record is still readable: 2; b's: 3).
            Assert.Contains("\"seq\":1,\"ord\":4,", File.ReadAllText(Path.Combine(_directory, "journal", PersistenceIdFileName.For("c") + ".jsonl")));
            Assert.Contains("\"seq\":2,\"ord\":5,", File.ReadAllText(Path.Combine(_directory, "journal", PersistenceIdFileName.For("b") + ".jsonl")));
            Assert.Equal(["a", "b", "c"], store.CurrentIds().Order(StringComparer.Ordinal));
        }
    }

    /// <summary>How much of the index the last mark says is known intact (a clean stop's mark says it too, beside its own fields).</summary>
    private static long CheckedTo(string path)
    {
        using var marks = MiniStoreLog.Open(path, readOnly: true);
        return System.Text.Json.JsonDocument.Parse(marks.LastRecordAtOpen!.Value.Json).RootElement.GetProperty("checked").GetInt64();
    }

    private static void StripOrderings(string log)
    {
        var records = new List<string>();
        using (var old = MiniStoreLog.Open(log, readOnly: true))
            foreach (var r in old.Read())
            {
                var node = JsonNode.Parse(r.Json.Span)!.AsObject();
                Assert.True(node.Remove("ord"));
                records.Add(node.ToJsonString());
            }
        File.Delete(log);
        using var rewritten = MiniStoreLog.Open(log);
        foreach (var record in records)
            rewritten.Append(System.Text.Encoding.UTF8.GetBytes(record));
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
