using Akka.Persistence.Query;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// A compacted index is a sound index for the journal's next start: its check mark covers the new file, the highest
/// ordering is kept (the next start hands out no ordering twice) even when it belongs to a deleted event, ids whose
/// events are all deleted are still listed, and a copy that a stopped compaction left is removed.
/// </summary>
public sealed class IndexCompactionRestartTests(ITestOutputHelper output) : BulkWriteSpec(output)
{
    [Fact]
    public void A_compacted_index_keeps_the_highest_ordering_the_ids_and_a_true_check_mark_through_a_restart()
    {
        WriteEvents([("b", 10), ("a", 5_000)], "green");
        long highest = LastOrdering; // a's last event
        long indexBefore = new FileInfo(IndexPath).Length;
        Delete("a", 5_000); // every event of a: 4,999 dead entries, a's last one kept
        Assert.True(SpinWait.SpinUntil(() => new FileInfo(IndexPath).Length < indexBefore / 10, TimeSpan.FromSeconds(60)), "the index was not compacted");

        var lines = File.ReadAllLines(IndexPath);
        Assert.Equal(11, lines.Length);
        Assert.Contains($"\"ord\":{highest},\"pid\":\"a\",\"seq\":5000", lines[^1]);
        string mark = Path.Combine(JournalDirectory, "index", "checked.jsonl");
        Assert.True(SpinWait.SpinUntil(() => LastMark(mark) == $"{{\"checked\":{new FileInfo(IndexPath).Length}}}", TimeSpan.FromSeconds(30)),
            $"the check mark says {LastMark(mark)}, the compacted index has {new FileInfo(IndexPath).Length} bytes");

        Assert.True(Sys.Terminate().Wait(TimeSpan.FromSeconds(20)));
        string leftover = IndexPath + LogCompactor.TemporaryExtension;
        File.WriteAllText(leftover, "what a compaction stopped before its rename left");

        using var store = new StoreSystem(StoreDirectory);
        store.Write("c", "a green cucumber");
        Assert.Equal($"c/1:a green cucumber@{highest + 1}", store.Collect(store.Queries.CurrentAllEvents(Offset.Sequence(highest))).Single());
        Assert.Equal(["a", "b", "c"], store.CurrentIds().Order(StringComparer.Ordinal));
        Assert.Equal(11, store.Collect(store.Queries.CurrentEventsByTag("green", NoOffset.Instance)).Count); // b's 10 and c's
        Assert.False(File.Exists(leftover));
    }

    private static string? LastMark(string path)
    {
        if (!File.Exists(path))
            return null;
        using var marks = MiniStoreLog.Open(path, readOnly: true);
        return marks.LastRecordAtOpen is { } last ? System.Text.Encoding.UTF8.GetString(last.Json.Span) : null;
    }
}
