using System.Text.Json;

namespace MiniStore.Tests;

/// <summary>
/// <see cref="MiniStoreLog.Seek"/>: a binary search by a key that does not decrease through the log, ending at
/// the start of the batch that holds the first record at or above the key; and what a read from there yields.
/// </summary>
public sealed class SeekTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static long KeyOf(LogRecord record) => JsonDocument.Parse(record.Json).RootElement.GetProperty("k").GetInt64();

    /// <summary>A record with key k; every 13th is long (more than the locator's first 4 KiB window either side).</summary>
    private static string Record(long k) => $"{{\"k\":{k},\"pad\":\"{new string('p', k % 13 == 0 ? 10_000 : (int)(k % 50))}\"}}";

    /// <summary>Keys 1..n in batches of 1 to 7 records; returns each batch's keys.</summary>
    private static List<long[]> WriteBatches(string path, long n)
    {
        var batches = new List<long[]>();
        using var log = MiniStoreLog.Open(path);
        for (long k = 1; k <= n;)
        {
            int size = (int)Math.Min(1 + batches.Count % 7, n - k + 1);
            var keys = Enumerable.Range(0, size).Select(i => k + i).ToArray();
            log.AppendJsonBatch(keys.Select(Record).ToArray());
            batches.Add(keys);
            k += size;
        }
        return batches;
    }

    /// <summary>Each record's key, line offset, and the offset of its batch's first line, from a full read.</summary>
    private static List<(long Key, long Offset, long BatchStart)> Layout(string path, List<long[]> batches)
    {
        List<(long Key, long Offset)> records;
        using (var log = MiniStoreLog.Open(path, readOnly: true))
            records = log.Read().Select(r => (KeyOf(r), r.Offset)).ToList();
        var layout = new List<(long, long, long)>();
        int at = 0;
        foreach (var batch in batches.Where(b => records.Any(r => r.Key == b[0])))
        {
            long start = records[at].Offset;
            foreach (var _ in batch)
            {
                layout.Add((records[at].Key, records[at].Offset, start));
                at++;
            }
        }
        Assert.Equal(records.Count, at);
        return layout;
    }

    /// <summary>Writes keys 1..n in batches, then lets <paramref name="damage"/> change the bytes; returns the lines as written.</summary>
    private static List<(int Offset, int Length)> WriteDamaged(string path, long n, Action<byte[], List<(int Offset, int Length)>> damage)
    {
        WriteBatches(path, n);
        byte[] bytes = File.ReadAllBytes(path);
        var lines = LogTestHelpers.Lines(bytes);
        damage(bytes, lines);
        File.WriteAllBytes(path, bytes);
        return lines;
    }

    private static List<long> KeysFrom(MiniStoreLog log, long offset)
    {
        var keys = new List<long>();
        foreach (var r in log.Read(offset, 0))
        {
            // Lines are not counted from an offset whose line is not known; from 0 they are, from line 1.
            Assert.Equal(offset == 0, r.LineNumber > 0);
            keys.Add(KeyOf(r));
        }
        return keys;
    }

    [Fact]
    public void Every_key_leads_to_the_start_of_its_batch_and_the_read_from_there_yields_the_rest_of_the_log()
    {
        string path = _dir.File("keys.log");
        const long n = 300;
        var batches = WriteBatches(path, n);
        var layout = Layout(path, batches);
        long length = new FileInfo(path).Length;
        using var log = MiniStoreLog.Open(path, readOnly: true);

        for (long key = 0; key <= n + 2; key++)
        {
            long expected = layout.FirstOrDefault(r => r.Key >= key) is { BatchStart: var start } && key <= n ? start : length;
            long found = log.Seek(KeyOf, key);
            Assert.True(expected == found, $"key {key}: expected offset {expected}, found {found}");

            var keys = KeysFrom(log, found);
            Assert.Equal(Enumerable.Range(1, (int)n).Select(i => (long)i).Where(k => k >= key), keys.Where(k => k >= key));
            // What comes before the key is only the head of the key's own batch, never a batch of its own.
            Assert.True(keys.Count(k => k < key) < 7, $"key {key}: read started {keys.Count(k => k < key)} records early");
        }
    }

    [Fact]
    public void The_first_and_the_last_line_are_found()
    {
        string path = _dir.File("ends.log");
        using (var log = MiniStoreLog.Open(path))
        {
            for (int k = 1; k <= 50; k++)
                log.AppendJson(Record(k));
            var offsets = log.Read().Select(r => r.Offset).ToList();

            Assert.Equal(0, log.Seek(KeyOf, long.MinValue));
            Assert.Equal(0, log.Seek(KeyOf, 1));
            Assert.Equal(offsets[^1], log.Seek(KeyOf, 50));
            Assert.Equal([50L], KeysFrom(log, offsets[^1]));
            Assert.Equal(new FileInfo(path).Length, log.Seek(KeyOf, 51));
            Assert.Equal(log.Length, log.Seek(KeyOf, 51));
            Assert.Empty(KeysFrom(log, log.Length));
        }

        // An empty log: nothing to read, from offset 0.
        using (var empty = MiniStoreLog.Open(_dir.File("empty.log")))
            Assert.Equal(0, empty.Seek(KeyOf, 5));
    }

    [Fact]
    public void The_search_reads_a_logarithmic_number_of_records()
    {
        string path = _dir.File("big.log");
        const int n = 20_000;
        using var log = MiniStoreLog.Open(path);
        for (int k = 1; k <= n; k += 100)
            log.AppendJsonBatch(Enumerable.Range(k, 100).Select(i => $"{{\"k\":{i}}}").ToArray());

        foreach (long key in new long[] { 1, 2, 7_777, n - 1_000, n })
        {
            int calls = 0;
            long found = log.Seek(r => { calls++; return KeyOf(r); }, key);
            Assert.True(calls <= 2 * Math.Log2(n), $"key {key}: {calls} records read to find it among {n}");
            Assert.Equal(key - (key - 1) % 100, KeysFrom(log, found)[0]); // the first key of its batch of 100
        }
    }

    [Fact]
    public void After_a_compaction_that_cut_into_a_batch_the_keys_are_found()
    {
        string path = _dir.File("compacted.log");
        var batches = WriteBatches(path, 120);
        var layout = Layout(path, batches);
        // Cut inside a batch of 4 (keys 7..10), after its first line, as the journal does when the deleted prefix ends there.
        long cut = layout.Single(r => r.Key == 8).Offset;
        using (var old = MiniStoreLog.Open(path))
            LogCompactor.DropPrefix(old, cut);

        using var log = MiniStoreLog.Open(path);
        Assert.Equal(0, log.Seek(KeyOf, 1));
        Assert.Equal(0, log.Seek(KeyOf, 9));
        Assert.Equal(Enumerable.Range(8, 113).Select(i => (long)i), KeysFrom(log, 0));
        long at11 = log.Seek(KeyOf, 11);
        Assert.Equal(layout.Single(r => r.Key == 11).BatchStart - cut, at11);
        Assert.Equal(11, KeysFrom(log, at11)[0]);
    }

    [Fact]
    public void A_torn_tail_counts_as_after_every_key_before_and_after_its_repair()
    {
        string path = _dir.File("torn.log");
        WriteBatches(path, 40);
        long intact = new FileInfo(path).Length;
        // A batch cut short: its first line whole (with "more"), its second only begun.
        byte[] torn = [.. LogTestHelpers.EncodeLineBySpec(Record(41), more: true), .. LogTestHelpers.EncodeLineBySpec(Record(42))[..12]];
        using (var file = new FileStream(path, FileMode.Append))
            file.Write(torn);
        byte[] before = File.ReadAllBytes(path);

        using var log = MiniStoreLog.Open(path);
        // Before the repair: the search never reads into the torn batch as if it were whole.
        Assert.Equal(intact, log.Seek(KeyOf, 41));
        Assert.Empty(KeysFrom(log, log.Seek(KeyOf, 41)));
        Assert.Equal([39L, 40], KeysFrom(log, log.Seek(KeyOf, 40))); // the last batch is 39, 40
        Assert.Equal(before, File.ReadAllBytes(path)); // neither the open nor the searches changed the file

        Assert.Equal(intact, log.RepairTail()!.Offset);
        Assert.Equal(intact, log.Seek(KeyOf, 41));
        Assert.Equal([39L, 40], KeysFrom(log, log.Seek(KeyOf, 40)));
    }

    [Fact]
    public void A_damaged_line_the_search_reads_is_reported_with_its_file_and_line()
    {
        string path = _dir.File("damaged.log");
        int middle = 0;
        var lines = WriteDamaged(path, 200, (bytes, lines) =>
        {
            // The line around the middle of the file is the first one any search reads.
            middle = lines.FindIndex(l => l.Offset + l.Length > bytes.Length / 2);
            bytes[lines[middle].Offset + 30] ^= 0x01;
        });

        using var log = MiniStoreLog.Open(path, readOnly: true);
        var e = Assert.Throws<CorruptLogException>(() => log.Seek(KeyOf, 150));
        Assert.Equal(path, e.LogPath);
        Assert.Equal(middle + 1, e.LineNumber);
        Assert.Equal(lines[middle].Offset, e.Offset);
        Assert.Contains($"line {middle + 1}", e.Message);
    }

    [Fact]
    public void Damage_before_the_key_is_not_read_and_a_read_across_it_fails_naming_it()
    {
        string path = _dir.File("early-damage.log");
        var lines = WriteDamaged(path, 400, (bytes, lines) =>
        {
            // Garbage over lines 5 to 30: a search for a key in the second half of the file never reads there.
            for (int i = lines[4].Offset; i < lines[29].Offset + lines[29].Length - 1; i++)
                if (bytes[i] != '\n') bytes[i] = (byte)'#';
        });

        using var log = MiniStoreLog.Open(path, readOnly: true);
        long found = log.Seek(KeyOf, 390);
        Assert.Equal(Enumerable.Range(390, 11).Select(i => (long)i), KeysFrom(log, found).Where(k => k >= 390));

        var e = Assert.Throws<CorruptLogException>(() => KeysFrom(log, 0));
        Assert.Equal(5, e.LineNumber);
        Assert.Equal(lines[4].Offset, e.Offset);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Keys_that_repeat_lead_to_the_first_record_with_the_key()
    {
        string path = _dir.File("repeats.log");
        using var log = MiniStoreLog.Open(path);
        foreach (int k in new[] { 0, 0, 0, 1, 1, 2, 5, 5, 5, 5, 9 })
            log.AppendJson($"{{\"k\":{k}}}");
        Assert.Equal(0, log.Seek(KeyOf, 0));
        Assert.Equal([1L, 1, 2, 5, 5, 5, 5, 9], KeysFrom(log, log.Seek(KeyOf, 1)));
        Assert.Equal([5L, 5, 5, 5, 9], KeysFrom(log, log.Seek(KeyOf, 3)));
        Assert.Equal([9L], KeysFrom(log, log.Seek(KeyOf, 6)));
    }
}
