using System.Text;
using Xunit.Abstractions;

namespace MiniStore.Tests;

public sealed class TornTailTests : IDisposable
{
    private const int N = 5;
    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;

    public TornTailTests(ITestOutputHelper output) => _output = output;
    public void Dispose() => _dir.Dispose();

    private static string Record(int i) => $"{{\"n\":{i},\"payload\":\"record number {i} ✓\"}}";

    /// <summary>Writes N single records and returns the file's bytes and the start of the last line.</summary>
    private async Task<(byte[] Bytes, int LastLineStart)> WriteSinglesAsync()
    {
        string path = _dir.File("template-singles.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
            for (int i = 0; i < N; i++)
                await log.AppendJsonAsync(Record(i));
        byte[] bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        var lines = LogTestHelpers.Lines(bytes);
        Assert.Equal(N, lines.Count);
        return (bytes, lines[^1].Offset);
    }

    /// <summary>Opens a damaged copy, checks the repair, appends, reopens and checks the log is clean.</summary>
    private async Task AssertRepairedAsync(string path, byte[] damaged, int goodLength, List<string> expectedAfterRepair, string context)
    {
        await File.WriteAllBytesAsync(path, damaged);
        TailRepair? reported = null;
        var options = new MiniStoreOptions { OnRepair = r => reported = r };

        await using (var log = await MiniStoreLog.OpenAsync(path, options))
        {
            Assert.True(log.Repair is not null, $"{context}: no repair reported");
            var repair = log.Repair!;
            Assert.Same(repair, reported);
            Assert.Equal(goodLength, repair.Offset);
            Assert.Equal(damaged.Length - goodLength, repair.BytesRemoved);
            Assert.Contains(path, repair.ToString());
            Assert.Contains($"offset {goodLength}", repair.ToString());

            // The removed bytes are kept, exactly, beside the log.
            Assert.Equal(Path.GetDirectoryName(path), Path.GetDirectoryName(repair.BrokenCopyPath));
            Assert.EndsWith(".broken", repair.BrokenCopyPath);
            Assert.Equal(damaged[goodLength..], await File.ReadAllBytesAsync(repair.BrokenCopyPath));
            Assert.Single(Directory.GetFiles(_dir.Path, Path.GetFileName(path) + ".*.broken"));

            // The log itself is cut back to its last complete frame.
            Assert.Equal(goodLength, new FileInfo(path).Length);
            Assert.Equal(goodLength, log.Length);
            Assert.Equal(expectedAfterRepair.Count, await LogTestHelpers.CountAsync(path));
            Assert.Equal(expectedAfterRepair, await LogTestHelpers.ReadJsonAsync(path));

            await log.AppendJsonAsync("{\"after\":\"repair\"}");
        }

        // Appending after the repair left a clean log: it reopens without repair and replays everything.
        await using (var log = await MiniStoreLog.OpenAsync(path))
        {
            Assert.True(log.Repair is null, $"{context}: second open repaired again: {log.Repair}");
            Assert.Equal(expectedAfterRepair.Count + 1, await LogTestHelpers.CountAsync(path));
        }
        Assert.Equal(expectedAfterRepair.Append("{\"after\":\"repair\"}").ToList(), await LogTestHelpers.ReadJsonAsync(path));
        Assert.Equal(damaged[..goodLength], (await File.ReadAllBytesAsync(path))[..goodLength]);
    }

    [Fact]
    public async Task Torn_last_record_is_repaired_at_every_cut_offset()
    {
        var (bytes, lastStart) = await WriteSinglesAsync();
        int lastLineLength = bytes.Length - lastStart;
        var earlier = Enumerable.Range(0, N - 1).Select(Record).ToList();

        for (int k = 1; k <= lastLineLength - 1; k++)
        {
            string path = _dir.File($"cut-{k}.log");
            await AssertRepairedAsync(path, bytes[..(lastStart + k)], lastStart, earlier, $"cut at {k} of {lastLineLength}");
        }
        _output.WriteLine($"checked {lastLineLength - 1} cut offsets of a {lastLineLength}-byte last line");
    }

    [Fact]
    public async Task Torn_first_and_only_record_is_repaired_to_an_empty_log()
    {
        string template = _dir.File("one.log");
        await using (var log = await MiniStoreLog.OpenAsync(template))
            await log.AppendJsonAsync(Record(0));
        byte[] bytes = await File.ReadAllBytesAsync(template);

        for (int k = 1; k < bytes.Length; k++)
            await AssertRepairedAsync(_dir.File($"only-{k}.log"), bytes[..k], 0, [], $"cut at {k}");
    }

    [Fact]
    public async Task Torn_last_batch_is_repaired_at_every_cut_offset_and_none_of_it_replays()
    {
        string template = _dir.File("template-batch.log");
        string[] batch = ["{\"batch\":\"a\",\"x\":1}", "{\"batch\":\"b\",\"x\":2}", "{\"batch\":\"c\",\"x\":3}"];
        await using (var log = await MiniStoreLog.OpenAsync(template))
        {
            for (int i = 0; i < N; i++)
                await log.AppendJsonAsync(Record(i));
            await log.AppendJsonBatchAsync(batch);
        }
        byte[] bytes = await File.ReadAllBytesAsync(template);
        var lines = LogTestHelpers.Lines(bytes);
        Assert.Equal(N + 3, lines.Count);
        Assert.Equal(Enumerable.Range(0, N).Select(Record).Concat(batch).ToList(), await LogTestHelpers.ReadJsonAsync(template));

        int batchStart = lines[N].Offset;
        int batchLength = bytes.Length - batchStart;
        var before = Enumerable.Range(0, N).Select(Record).ToList();

        for (int k = 1; k <= batchLength - 1; k++)
        {
            string path = _dir.File($"batch-cut-{k}.log");
            await AssertRepairedAsync(path, bytes[..(batchStart + k)], batchStart, before, $"batch cut at {k} of {batchLength}");
        }
        _output.WriteLine($"checked {batchLength - 1} cut offsets of a {batchLength}-byte 3-line batch");
    }

    [Fact]
    public async Task Complete_last_line_with_a_flipped_byte_is_repaired_at_every_position_unless_it_is_still_well_formed_JSON()
    {
        var (bytes, lastStart) = await WriteSinglesAsync();
        var earlier = Enumerable.Range(0, N - 1).Select(Record).ToList();
        int repaired = 0, refused = 0;

        // Every byte of the last line after its {"crc":" (a line that does not start so was not cut short by a
        // crash; see the next test), its '\n' included (then the line has no line break), flipped in one bit.
        // A flip that leaves a whole line of well-formed JSON (a checksum digit, a letter in a string) is an
        // alteration no crash makes: it is refused as damage, never cut off.
        for (int i = lastStart + 8; i < bytes.Length; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x01;
            string path = _dir.File($"flip-{i}.log");
            if (damaged[^1] == '\n' && IsJson(damaged.AsSpan(lastStart, damaged.Length - 1 - lastStart)))
            {
                await File.WriteAllBytesAsync(path, damaged);
                var e = await Assert.ThrowsAsync<CorruptLogException>(() => MiniStoreLog.OpenAsync(path));
                Assert.Contains("changed after it was written", e.Message);
                Assert.Equal(damaged, await File.ReadAllBytesAsync(path));
                refused++;
            }
            else
            {
                await AssertRepairedAsync(path, damaged, lastStart, earlier, $"flip at {i}");
                repaired++;
            }
        }
        Assert.True(repaired > 10 && refused > 10, $"{repaired} flips repaired, {refused} refused");
    }

    private static bool IsJson(ReadOnlySpan<byte> line)
    {
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(line.ToArray());
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Last_line_not_starting_like_a_log_line_is_corruption_not_a_torn_tail()
    {
        var (bytes, lastStart) = await WriteSinglesAsync();
        for (int i = lastStart; i < lastStart + 8; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x01;
            string path = _dir.File($"start-{i}.log");
            await File.WriteAllBytesAsync(path, damaged);
            var e = await Assert.ThrowsAsync<CorruptLogException>(() => MiniStoreLog.OpenAsync(path));
            Assert.Equal(N, e.LineNumber);
            Assert.Equal(lastStart, e.Offset);
            Assert.Contains("not a write cut short", e.Message);
            Assert.Equal(damaged, await File.ReadAllBytesAsync(path));
        }
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.broken"));
    }

    [Fact]
    public async Task Checksum_mismatch_in_last_line_is_reported_as_the_reason_and_syncs_the_copy()
    {
        var (bytes, lastStart) = await WriteSinglesAsync();
        int digit = lastStart + bytes.AsSpan(lastStart).IndexOf("\"n\":4"u8) + 4; // the 4 of "n":4, inside the CRC'd body
        Assert.Equal((byte)'4', bytes[digit]);
        bytes[digit] = 0; // a block of the line a power loss never wrote: the line is whole but not JSON

        string path = _dir.File("crc.log");
        await File.WriteAllBytesAsync(path, bytes);
        var sync = new CountingSync();
        await using var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync });
        Assert.NotNull(log.Repair);
        Assert.Contains("checksum mismatch", log.Repair!.Reason);
        Assert.Equal(lastStart, log.Repair.Offset);
        // The copy and the truncation are both made durable, and the directory holding the new .broken file too.
        Assert.True(sync.FileSyncs >= 2, $"only {sync.FileSyncs} file syncs during repair");
        Assert.Contains(_dir.Path, sync.Directories);
        Assert.Equal(lastStart, sync.FileLengthsAtSync[^1]);
    }

    [Fact]
    public async Task A_whole_well_formed_last_line_with_a_wrong_checksum_is_damage_not_a_torn_tail()
    {
        var (bytes, lastStart) = await WriteSinglesAsync();
        int digit = lastStart + bytes.AsSpan(lastStart).IndexOf("\"n\":4"u8) + 4;
        bytes[digit] = (byte)'7'; // still valid JSON: an edit or bit rot, which a crash cannot produce
        string path = _dir.File("altered.log");
        await File.WriteAllBytesAsync(path, bytes);

        var open = await Assert.ThrowsAsync<CorruptLogException>(() => MiniStoreLog.OpenAsync(path));
        var read = await Assert.ThrowsAsync<CorruptLogException>(() => LogTestHelpers.ReadJsonAsync(path));

        foreach (var e in new[] { open, read })
        {
            Assert.Equal(N, e.LineNumber);
            Assert.Equal(lastStart, e.Offset);
            Assert.Contains("checksum mismatch", e.Message);
            Assert.Contains("changed after it was written", e.Message);
        }
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.broken"));
    }

    [Fact]
    public async Task Trailing_empty_line_is_a_torn_tail()
    {
        var (bytes, _) = await WriteSinglesAsync();
        byte[] damaged = [.. bytes, (byte)'\n'];
        await AssertRepairedAsync(_dir.File("blank.log"), damaged, bytes.Length, Enumerable.Range(0, N).Select(Record).ToList(), "blank line");
    }

    [Fact]
    public async Task ReadAsync_stops_before_a_torn_tail_without_changing_the_file()
    {
        var (bytes, lastStart) = await WriteSinglesAsync();
        string path = _dir.File("readonly.log");
        byte[] torn = bytes[..(lastStart + 10)];
        await File.WriteAllBytesAsync(path, torn);

        Assert.Equal(Enumerable.Range(0, N - 1).Select(Record).ToList(), await LogTestHelpers.ReadJsonAsync(path));
        Assert.Equal(torn, await File.ReadAllBytesAsync(path));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.broken"));
    }
}
