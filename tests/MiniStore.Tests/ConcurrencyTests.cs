using System.Text.Json;

namespace MiniStore.Tests;

/// <summary>
/// A log is a single writer, as LevelDB's log writer: it has no queue and no lock of its own. A second append while
/// one is in progress is refused; callers that share a log serialize their appends (a lock of theirs), and one call
/// of several batches is one write and one fsync.
/// </summary>
public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    public sealed record Entry(int Thread, int Seq);

    private static ReadOnlyMemory<byte> Json(Entry entry) => JsonSerializer.SerializeToUtf8Bytes(entry);

    private static List<Entry> Replay(string path)
    {
        using var log = MiniStoreLog.Open(path, readOnly: true);
        return log.Read().Select(r => JsonSerializer.Deserialize<Entry>(r.Json.Span)!).ToList();
    }

    [Fact]
    public async Task A_second_append_while_one_is_in_progress_is_refused_and_writes_nothing()
    {
        string path = _dir.File("one-writer.log");
        var sync = new BlockingSync();
        using var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync });
        try
        {
            Task first = Task.Run(() => log.AppendJson("{\"i\":0}"));
            Assert.True(sync.WaitUntilBlocked(), "the first append never reached its fsync");
            byte[] during = File.ReadAllBytes(path); // the first append's line, written, not yet synced

            var single = Assert.Throws<InvalidOperationException>(() => log.AppendJson("{\"i\":1}"));
            var batches = Assert.Throws<InvalidOperationException>(() => log.AppendBatches([[LogTestHelpers.Utf8("{\"i\":2}")], [LogTestHelpers.Utf8("{\"i\":3}")]]));
            foreach (var e in new[] { single, batches })
            {
                Assert.Contains(path, e.Message);
                Assert.Contains("one writer at a time", e.Message);
            }
            Assert.Equal(during, File.ReadAllBytes(path));
            Assert.Equal(0, log.Length);
            Assert.False(first.IsCompleted);

            sync.Release();
            await first.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(first.IsCompletedSuccessfully);
            Assert.Equal(1, sync.FileSyncs); // the refused appends reached no fsync either
            Assert.Equal(during, File.ReadAllBytes(path));

            // Once the first has returned, the next append is taken.
            log.AppendJson("{\"i\":1}");
            Assert.Equal(["{\"i\":0}", "{\"i\":1}"], log.ReadJson());
        }
        finally
        {
            sync.Release();
        }
    }

    [Fact]
    public void Threads_appending_through_a_lock_of_their_own_all_replay_each_in_its_own_order_batches_contiguous()
    {
        const int Threads = 16, PerThread = 100, BatchSize = 3;
        string path = _dir.File("serialized.log");
        var gate = new object();
        using (var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = new CountingSync(realSync: false) }))
        {
            using var start = new ManualResetEventSlim(false);
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                start.Wait();
                // Even threads append single records, odd ones batches of three.
                for (int seq = 0; seq < PerThread;)
                {
                    int size = t % 2 == 0 ? 1 : Math.Min(BatchSize, PerThread - seq);
                    var batch = Enumerable.Range(seq, size).Select(s => Json(new Entry(t, s))).ToList();
                    lock (gate)
                        log.Append(batch);
                    seq += size;
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            start.Set();
            threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromMinutes(2)), "a writer thread did not finish"));
            Assert.Equal(new FileInfo(path).Length, log.Length);
        }

        var replayed = Replay(path);
        Assert.Equal(Threads * PerThread, replayed.Count);
        Assert.Equal(Threads * PerThread, replayed.Distinct().Count());
        foreach (var group in replayed.GroupBy(e => e.Thread))
            Assert.Equal(Enumerable.Range(0, PerThread), group.Select(e => e.Seq));
        Assert.Equal(Enumerable.Range(0, Threads), replayed.Select(e => e.Thread).Distinct().Order());

        // A batch's records are next to each other, never interleaved with another thread's.
        for (int i = 0; i < replayed.Count;)
        {
            var entry = replayed[i];
            int size = entry.Thread % 2 == 0 ? 1 : Math.Min(BatchSize, PerThread - entry.Seq);
            Assert.Equal(0, entry.Seq % (entry.Thread % 2 == 0 ? 1 : BatchSize));
            Assert.Equal(Enumerable.Range(entry.Seq, size).Select(s => new Entry(entry.Thread, s)), replayed.Skip(i).Take(size));
            i += size;
        }
    }

    [Fact]
    public void Several_batches_in_one_call_cost_one_fsync_and_each_replays_whole_or_not_at_all_after_a_cut()
    {
        string path = _dir.File("batches.log");
        var sync = new CountingSync();
        int[] sizes = [1, 3, 2, 4, 1];
        var batches = sizes.Select((size, b) => (IReadOnlyList<ReadOnlyMemory<byte>>)Enumerable.Range(0, size).Select(s => Json(new Entry(b, s))).ToList()).ToList();
        long start;
        using (var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync }))
        {
            log.AppendJson("{\"Thread\":-1,\"Seq\":0}");
            start = log.Length;
            int before = sync.FileSyncs;
            log.AppendBatches(batches);
            Assert.Equal(1, sync.FileSyncs - before);
            Assert.Equal(new FileInfo(path).Length, sync.FileLengthsAtSync[^1]);
        }
        byte[] bytes = File.ReadAllBytes(path);
        var all = Replay(path);
        Assert.Equal(1 + sizes.Sum(), all.Count);

        // Where each batch ends: after its last line's '\n'.
        var lines = LogTestHelpers.Lines(bytes);
        var batchEnds = new List<long>();
        int line = 1;
        foreach (int size in sizes)
        {
            line += size;
            batchEnds.Add(lines[line - 1].Offset + lines[line - 1].Length);
        }

        // Whatever a crash keeps of the write, the log holds whole batches: those that ended before the cut. Cuts at
        // every line's end, one byte either side of it, and the middle of the line.
        var unsynced = new MiniStoreOptions { FileSync = new CountingSync(realSync: false) };
        var cuts = lines.Where(l => l.Offset >= start)
            .SelectMany(l => new long[] { l.Offset + l.Length / 2, l.Offset + l.Length - 1, l.Offset + l.Length, l.Offset + l.Length + 1 })
            .Prepend(start).Where(c => c <= bytes.Length).Distinct();
        foreach (long cut in cuts)
        {
            string copy = _dir.File($"cut-{cut}.log");
            File.WriteAllBytes(copy, bytes[..(int)cut]);
            int whole = batchEnds.Count(end => end <= cut);
            var expected = all.Take(1 + sizes.Take(whole).Sum()).ToList();

            using (var log = MiniStoreLog.Open(copy, unsynced))
            {
                long committed = whole == 0 ? start : batchEnds[whole - 1];
                Assert.Equal(committed, log.Length);
                Assert.Equal(cut == committed, log.TornTail is null);
                Assert.Equal(expected, log.Read().Select(r => JsonSerializer.Deserialize<Entry>(r.Json.Span)!));
                log.RepairTail();
            }
            Assert.Equal(expected, Replay(copy));
            File.Delete(copy);
        }
    }
}
