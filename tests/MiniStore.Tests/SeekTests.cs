using System.Text;
using System.Text.Json;

namespace MiniStore.Tests;

/// <summary>
/// <see cref="MiniStoreLog.SeekAsync"/>: a binary search by a key that does not decrease through the log, ending at
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
    private static async Task<List<long[]>> WriteBatchesAsync(string path, long n)
    {
        var batches = new List<long[]>();
        await using var log = await MiniStoreLog.OpenAsync(path);
        for (long k = 1; k <= n;)
        {
            int size = (int)Math.Min(1 + batches.Count % 7, n - k + 1);
            var keys = Enumerable.Range(0, size).Select(i => k + i).ToArray();
            await log.AppendJsonBatchAsync(keys.Select(Record).ToArray());
            batches.Add(keys);
            k += size;
        }
        return batches;
    }

    /// <summary>Each record's key, line offset, and the offset of its batch's first line, from a full read.</summary>
    private static async Task<List<(long Key, long Offset, long BatchStart)>> LayoutAsync(string path, List<long[]> batches)
    {
        var records = new List<(long Key, long Offset)>();
        await foreach (var r in MiniStoreLog.ReadAsync(path))
            records.Add((KeyOf(r), r.Offset));
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
    private static async Task<List<(int Offset, int Length)>> WriteDamagedAsync(string path, long n, Action<byte[], List<(int Offset, int Length)>> damage)
    {
        await WriteBatchesAsync(path, n);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        var lines = LogTestHelpers.Lines(bytes);
        damage(bytes, lines);
        await File.WriteAllBytesAsync(path, bytes);
        return lines;
    }

    private static async Task<List<long>> KeysFromAsync(string path, long offset, long endOffset = long.MaxValue)
    {
        var keys = new List<long>();
        await foreach (var r in MiniStoreLog.ReadAsync(path, offset, 0, endOffset))
        {
            Assert.Equal(0, r.LineNumber);
            keys.Add(KeyOf(r));
        }
        return keys;
    }

    [Fact]
    public async Task Every_key_leads_to_the_start_of_its_batch_and_the_read_from_there_yields_the_rest_of_the_log()
    {
        string path = _dir.File("keys.log");
        const long n = 300;
        var batches = await WriteBatchesAsync(path, n);
        var layout = await LayoutAsync(path, batches);
        long length = new FileInfo(path).Length;

        for (long key = 0; key <= n + 2; key++)
        {
            long expected = layout.FirstOrDefault(r => r.Key >= key) is { BatchStart: var start } && key <= n ? start : length;
            long found = await MiniStoreLog.SeekAsync(path, KeyOf, key);
            Assert.True(expected == found, $"key {key}: expected offset {expected}, found {found}");

            var keys = await KeysFromAsync(path, found);
            Assert.Equal(Enumerable.Range(1, (int)n).Select(i => (long)i).Where(k => k >= key), keys.Where(k => k >= key));
            // What comes before the key is only the head of the key's own batch, never a batch of its own.
            Assert.True(keys.Count(k => k < key) < 7, $"key {key}: read started {keys.Count(k => k < key)} records early");
        }
    }

    [Fact]
    public async Task The_first_and_the_last_line_are_found()
    {
        string path = _dir.File("ends.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
            for (int k = 1; k <= 50; k++)
                await log.AppendJsonAsync(Record(k));
        var offsets = new List<long>();
        await foreach (var r in MiniStoreLog.ReadAsync(path))
            offsets.Add(r.Offset);

        Assert.Equal(0, await MiniStoreLog.SeekAsync(path, KeyOf, long.MinValue));
        Assert.Equal(0, await MiniStoreLog.SeekAsync(path, KeyOf, 1));
        Assert.Equal(offsets[^1], await MiniStoreLog.SeekAsync(path, KeyOf, 50));
        Assert.Equal([50L], await KeysFromAsync(path, offsets[^1]));
        Assert.Equal(new FileInfo(path).Length, await MiniStoreLog.SeekAsync(path, KeyOf, 51));
        Assert.Empty(await KeysFromAsync(path, new FileInfo(path).Length));

        // The end offset bounds the search as it bounds the read.
        Assert.Equal(offsets[10], await MiniStoreLog.SeekAsync(path, KeyOf, 99, endOffset: offsets[10]));

        // An empty or missing log: nothing to read, from offset 0.
        await File.WriteAllBytesAsync(_dir.File("empty.log"), []);
        Assert.Equal(0, await MiniStoreLog.SeekAsync(_dir.File("empty.log"), KeyOf, 5));
        Assert.Equal(0, await MiniStoreLog.SeekAsync(_dir.File("missing.log"), KeyOf, 5));
    }

    [Fact]
    public async Task The_search_reads_a_logarithmic_number_of_records()
    {
        string path = _dir.File("big.log");
        const int n = 20_000;
        await using (var log = await MiniStoreLog.OpenAsync(path))
            for (int k = 1; k <= n; k += 100)
                await log.AppendJsonBatchAsync(Enumerable.Range(k, 100).Select(i => $"{{\"k\":{i}}}").ToArray());

        foreach (long key in new long[] { 1, 2, 7_777, n - 1_000, n })
        {
            int calls = 0;
            long found = await MiniStoreLog.SeekAsync(path, r => { calls++; return KeyOf(r); }, key);
            Assert.True(calls <= 2 * Math.Log2(n), $"key {key}: {calls} records read to find it among {n}");
            Assert.Equal(key - (key - 1) % 100, (await KeysFromAsync(path, found))[0]); // the first key of its batch of 100
        }
    }

    [Fact]
    public async Task After_a_compaction_that_cut_into_a_batch_the_keys_are_found()
    {
        string path = _dir.File("compacted.log");
        var batches = await WriteBatchesAsync(path, 120);
        var layout = await LayoutAsync(path, batches);
        // Cut inside a batch of 4 (keys 7..10), after its first line, as the journal does when the deleted prefix ends there.
        long cut = layout.Single(r => r.Key == 8).Offset;
        await LogCompactor.DropPrefixAsync(path, cut);

        Assert.Equal(0, await MiniStoreLog.SeekAsync(path, KeyOf, 1));
        Assert.Equal(0, await MiniStoreLog.SeekAsync(path, KeyOf, 9));
        Assert.Equal(Enumerable.Range(8, 113).Select(i => (long)i), await KeysFromAsync(path, 0));
        long at11 = await MiniStoreLog.SeekAsync(path, KeyOf, 11);
        Assert.Equal(layout.Single(r => r.Key == 11).BatchStart - cut, at11);
        Assert.Equal(11, (await KeysFromAsync(path, at11))[0]);
    }

    [Fact]
    public async Task A_torn_tail_counts_as_after_every_key_before_and_after_its_repair()
    {
        string path = _dir.File("torn.log");
        await WriteBatchesAsync(path, 40);
        long intact = new FileInfo(path).Length;
        // A batch cut short: its first line whole (with "more"), its second only begun.
        byte[] torn = [.. LogTestHelpers.EncodeLineBySpec(Record(41), more: true), .. LogTestHelpers.EncodeLineBySpec(Record(42))[..12]];
        await using (var file = new FileStream(path, FileMode.Append))
            await file.WriteAsync(torn);

        // Unrepaired (a reader's view): the search never reads into the torn batch as if it were whole.
        long found = await MiniStoreLog.SeekAsync(path, KeyOf, 41);
        Assert.True(found >= intact, $"found {found}, before the end of the intact part {intact}");
        Assert.Empty(await KeysFromAsync(path, found));
        Assert.Equal([39L, 40], await KeysFromAsync(path, await MiniStoreLog.SeekAsync(path, KeyOf, 40))); // the last batch is 39, 40

        await using (var log = await MiniStoreLog.OpenAsync(path))
            Assert.Equal(intact, log.Repair!.Offset);
        Assert.Equal(intact, await MiniStoreLog.SeekAsync(path, KeyOf, 41));
        Assert.Equal([39L, 40], await KeysFromAsync(path, await MiniStoreLog.SeekAsync(path, KeyOf, 40)));
    }

    [Fact]
    public async Task A_damaged_line_the_search_reads_is_reported_with_its_file_and_line()
    {
        string path = _dir.File("damaged.log");
        int middle = 0;
        var lines = await WriteDamagedAsync(path, 200, (bytes, lines) =>
        {
            // The line around the middle of the file is the first one any search reads.
            middle = lines.FindIndex(l => l.Offset + l.Length > bytes.Length / 2);
            bytes[lines[middle].Offset + 30] ^= 0x01;
        });

        var e = await Assert.ThrowsAsync<CorruptLogException>(() => MiniStoreLog.SeekAsync(path, KeyOf, 150));
        Assert.Equal(path, e.LogPath);
        Assert.Equal(middle + 1, e.LineNumber);
        Assert.Equal(lines[middle].Offset, e.Offset);
        Assert.Contains($"line {middle + 1}", e.Message);
    }

    [Fact]
    public async Task Damage_before_the_key_is_not_read_and_a_read_across_it_fails_naming_it()
    {
        string path = _dir.File("early-damage.log");
        var lines = await WriteDamagedAsync(path, 400, (bytes, lines) =>
        {
            // Garbage over lines 5 to 30: a search for a key in the second half of the file never reads there.
            for (int i = lines[4].Offset; i < lines[29].Offset + lines[29].Length - 1; i++)
                if (bytes[i] != '\n') bytes[i] = (byte)'#';
        });

        long found = await MiniStoreLog.SeekAsync(path, KeyOf, 390);
        Assert.Equal(Enumerable.Range(390, 11).Select(i => (long)i), (await KeysFromAsync(path, found)).Where(k => k >= 390));

        var e = await Assert.ThrowsAsync<CorruptLogException>(() => KeysFromAsync(path, 0));
        Assert.Equal(5, e.LineNumber);
        Assert.Equal(lines[4].Offset, e.Offset);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public async Task Keys_that_repeat_lead_to_the_first_record_with_the_key()
    {
        string path = _dir.File("repeats.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
            foreach (int k in new[] { 0, 0, 0, 1, 1, 2, 5, 5, 5, 5, 9 })
                await log.AppendJsonAsync($"{{\"k\":{k}}}");
        Assert.Equal(0, await MiniStoreLog.SeekAsync(path, KeyOf, 0));
        Assert.Equal([1L, 1, 2, 5, 5, 5, 5, 9], await KeysFromAsync(path, await MiniStoreLog.SeekAsync(path, KeyOf, 1)));
        Assert.Equal([5L, 5, 5, 5, 9], await KeysFromAsync(path, await MiniStoreLog.SeekAsync(path, KeyOf, 3)));
        Assert.Equal([9L], await KeysFromAsync(path, await MiniStoreLog.SeekAsync(path, KeyOf, 6)));
    }
}
