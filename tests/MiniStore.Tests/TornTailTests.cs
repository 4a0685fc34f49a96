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
    private (byte[] Bytes, int LastLineStart) WriteSingles()
    {
        string path = _dir.File("template-singles.log");
        using (var log = MiniStoreLog.Open(path))
            for (int i = 0; i < N; i++)
                log.AppendJson(Record(i));
        byte[] bytes = File.ReadAllBytes(path);
        File.Delete(path);
        var lines = LogTestHelpers.Lines(bytes);
        Assert.Equal(N, lines.Count);
        return (bytes, lines[^1].Offset);
    }

    private const string After = "{\"after\":\"repair\"}";

    /// <summary>
    /// Opens a damaged copy: the open reports the torn tail and leaves the file as it is. Then the tail is cut, by
    /// <see cref="MiniStoreLog.RepairTail"/> or (<paramref name="byAppend"/>) by the first append, which keeps its
    /// bytes in a .broken copy; the log appends, reopens clean and replays.
    /// </summary>
    private void AssertRepaired(string path, byte[] damaged, int goodLength, List<string> expectedAfterRepair, string context, bool byAppend = false, MiniStoreOptions? options = null)
    {
        File.WriteAllBytes(path, damaged);
        string brokenPattern = Path.GetFileName(path) + ".*.broken";

        using (var log = MiniStoreLog.Open(path, options))
        {
            // Opening reports the torn tail and changes nothing.
            Assert.True(log.TornTail is not null, $"{context}: no torn tail reported");
            var torn = log.TornTail!;
            Assert.Equal(goodLength, torn.Offset);
            Assert.Equal(damaged.Length - goodLength, torn.Length);
            Assert.Equal(goodLength, log.Length);
            Assert.Equal(damaged, File.ReadAllBytes(path));
            Assert.Empty(Directory.GetFiles(_dir.Path, brokenPattern));
            Assert.Equal(expectedAfterRepair, log.ReadJson());

            if (byAppend)
            {
                log.AppendJson(After);
                Assert.Null(log.TornTail);
                string copy = Assert.Single(Directory.GetFiles(_dir.Path, brokenPattern));
                Assert.Equal(damaged[goodLength..], File.ReadAllBytes(copy));
                Assert.Equal([.. damaged[..goodLength], .. LogTestHelpers.EncodeLineBySpec(After)], File.ReadAllBytes(path));
            }
            else
            {
                var repair = log.RepairTail();
                Assert.True(repair is not null, $"{context}: RepairTail cut nothing");
                Assert.Equal(path, repair!.LogPath);
                Assert.Equal(goodLength, repair.Offset);
                Assert.Equal(damaged.Length - goodLength, repair.Length);
                Assert.Equal(torn.Reason, repair.Reason);
                Assert.Contains(path, repair.ToString());
                Assert.Contains($"offset {goodLength}", repair.ToString());
                Assert.Null(log.TornTail);

                // The removed bytes are kept, exactly, beside the log.
                Assert.Equal(Path.GetDirectoryName(path), Path.GetDirectoryName(repair.BrokenCopyPath));
                Assert.EndsWith(".broken", repair.BrokenCopyPath);
                Assert.Equal(damaged[goodLength..], File.ReadAllBytes(repair.BrokenCopyPath));
                Assert.Equal(repair.BrokenCopyPath, Assert.Single(Directory.GetFiles(_dir.Path, brokenPattern)));

                // The log itself is cut back to its last complete batch.
                Assert.Equal(damaged[..goodLength], File.ReadAllBytes(path));
                Assert.Equal(goodLength, log.Length);
                Assert.Equal(expectedAfterRepair, log.ReadJson());
                Assert.Equal(expectedAfterRepair, LogTestHelpers.ReadJson(path));
                Assert.Null(log.RepairTail());

                log.AppendJson(After);
            }
        }

        // Appending after the repair left a clean log: it reopens without a torn tail and replays everything.
        using (var log = MiniStoreLog.Open(path, options))
        {
            Assert.True(log.TornTail is null, $"{context}: second open found a torn tail again: {log.TornTail}");
            Assert.Equal(expectedAfterRepair.Append(After).ToList(), log.ReadJson());
        }
        Assert.Equal([.. damaged[..goodLength], .. LogTestHelpers.EncodeLineBySpec(After)], File.ReadAllBytes(path));
    }

    [Fact]
    public void Torn_last_record_is_repaired_at_every_cut_offset()
    {
        var (bytes, lastStart) = WriteSingles();
        int lastLineLength = bytes.Length - lastStart;
        var earlier = Enumerable.Range(0, N - 1).Select(Record).ToList();

        for (int k = 1; k <= lastLineLength - 1; k++)
        {
            string path = _dir.File($"cut-{k}.log");
            AssertRepaired(path, bytes[..(lastStart + k)], lastStart, earlier, $"cut at {k} of {lastLineLength}", byAppend: k % 2 == 0);
        }
        _output.WriteLine($"checked {lastLineLength - 1} cut offsets of a {lastLineLength}-byte last line");
    }

    [Fact]
    public void Torn_first_and_only_record_is_repaired_to_an_empty_log()
    {
        string template = _dir.File("one.log");
        using (var log = MiniStoreLog.Open(template))
            log.AppendJson(Record(0));
        byte[] bytes = File.ReadAllBytes(template);

        for (int k = 1; k < bytes.Length; k++)
            AssertRepaired(_dir.File($"only-{k}.log"), bytes[..k], 0, [], $"cut at {k}", byAppend: k % 2 == 0);
    }

    [Fact]
    public void Torn_last_batch_is_repaired_at_every_cut_offset_and_none_of_it_replays()
    {
        string template = _dir.File("template-batch.log");
        string[] batch = ["{\"batch\":\"a\",\"x\":1}", "{\"batch\":\"b\",\"x\":2}", "{\"batch\":\"c\",\"x\":3}"];
        using (var log = MiniStoreLog.Open(template))
        {
            for (int i = 0; i < N; i++)
                log.AppendJson(Record(i));
            log.AppendJsonBatch(batch);
        }
        byte[] bytes = File.ReadAllBytes(template);
        var lines = LogTestHelpers.Lines(bytes);
        Assert.Equal(N + 3, lines.Count);
        Assert.Equal(Enumerable.Range(0, N).Select(Record).Concat(batch).ToList(), LogTestHelpers.ReadJson(template));

        int batchStart = lines[N].Offset;
        int batchLength = bytes.Length - batchStart;
        var before = Enumerable.Range(0, N).Select(Record).ToList();

        for (int k = 1; k <= batchLength - 1; k++)
        {
            string path = _dir.File($"batch-cut-{k}.log");
            AssertRepaired(path, bytes[..(batchStart + k)], batchStart, before, $"batch cut at {k} of {batchLength}", byAppend: k % 2 == 0);
        }
        _output.WriteLine($"checked {batchLength - 1} cut offsets of a {batchLength}-byte 3-line batch");
    }

    [Fact]
    public void Complete_last_line_with_a_flipped_byte_is_repaired_at_every_position_unless_it_is_still_well_formed_JSON()
    {
        var (bytes, lastStart) = WriteSingles();
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
                File.WriteAllBytes(path, damaged);
                var e = Assert.Throws<CorruptLogException>(() => MiniStoreLog.Open(path));
                Assert.Contains("changed after it was written", e.Message);
                Assert.Equal(damaged, File.ReadAllBytes(path));
                refused++;
            }
            else
            {
                AssertRepaired(path, damaged, lastStart, earlier, $"flip at {i}", byAppend: i % 2 == 0);
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
    public void Last_line_not_starting_like_a_log_line_is_corruption_not_a_torn_tail()
    {
        var (bytes, lastStart) = WriteSingles();
        for (int i = lastStart; i < lastStart + 8; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x01;
            string path = _dir.File($"start-{i}.log");
            File.WriteAllBytes(path, damaged);
            foreach (bool readOnly in new[] { false, true })
            {
                var e = Assert.Throws<CorruptLogException>(() => MiniStoreLog.Open(path, readOnly: readOnly));
                Assert.Equal(N, e.LineNumber);
                Assert.Equal(lastStart, e.Offset);
                Assert.Contains("not a write cut short", e.Message);
            }
            Assert.Equal(damaged, File.ReadAllBytes(path));
        }
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.broken"));
    }

    [Fact]
    public void Checksum_mismatch_in_last_line_is_reported_as_the_reason_and_the_repair_syncs_the_copy()
    {
        var (bytes, lastStart) = WriteSingles();
        int digit = lastStart + bytes.AsSpan(lastStart).IndexOf("\"n\":4"u8) + 4; // the 4 of "n":4, inside the CRC'd body
        Assert.Equal((byte)'4', bytes[digit]);
        bytes[digit] = 0; // a block of the line a power loss never wrote: the line is whole but not JSON

        string path = _dir.File("crc.log");
        File.WriteAllBytes(path, bytes);
        var sync = new CountingSync();
        using var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync });
        Assert.NotNull(log.TornTail);
        Assert.Contains("checksum mismatch", log.TornTail!.Reason);
        Assert.Equal(lastStart, log.TornTail.Offset);
        Assert.Equal(0, sync.FileSyncs); // opening an existing log writes nothing, so syncs nothing
        Assert.Empty(sync.Directories);
        Assert.Equal(bytes, File.ReadAllBytes(path));

        var repair = log.RepairTail()!;
        Assert.Contains("checksum mismatch", repair.Reason);
        Assert.Equal(lastStart, repair.Offset);
        // The copy and the truncation are both made durable, and the directory holding the new .broken file too.
        Assert.True(sync.FileSyncs >= 2, $"only {sync.FileSyncs} file syncs during repair");
        Assert.Contains(_dir.Path, sync.Directories);
        Assert.Equal(bytes.Length - lastStart, sync.FileLengthsAtSync[0]); // the copy, synced before the log is cut
        Assert.Equal(lastStart, sync.FileLengthsAtSync[^1]);
    }

    [Fact]
    public void A_whole_well_formed_last_line_with_a_wrong_checksum_is_damage_not_a_torn_tail()
    {
        var (bytes, lastStart) = WriteSingles();
        int digit = lastStart + bytes.AsSpan(lastStart).IndexOf("\"n\":4"u8) + 4;
        bytes[digit] = (byte)'7'; // still valid JSON: an edit or bit rot, which a crash cannot produce
        string path = _dir.File("altered.log");
        File.WriteAllBytes(path, bytes);

        var open = Assert.Throws<CorruptLogException>(() => MiniStoreLog.Open(path));
        var read = Assert.Throws<CorruptLogException>(() => LogTestHelpers.ReadJson(path));

        foreach (var e in new[] { open, read })
        {
            Assert.Equal(N, e.LineNumber);
            Assert.Equal(lastStart, e.Offset);
            Assert.Contains("checksum mismatch", e.Message);
            Assert.Contains("changed after it was written", e.Message);
        }
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.broken"));
    }

    [Fact]
    public void Trailing_empty_line_is_a_torn_tail()
    {
        var (bytes, _) = WriteSingles();
        byte[] damaged = [.. bytes, (byte)'\n'];
        AssertRepaired(_dir.File("blank.log"), damaged, bytes.Length, Enumerable.Range(0, N).Select(Record).ToList(), "blank line");
        AssertRepaired(_dir.File("blank-append.log"), damaged, bytes.Length, Enumerable.Range(0, N).Select(Record).ToList(), "blank line", byAppend: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_read_stops_before_a_torn_tail_without_changing_the_file(bool readOnly)
    {
        var (bytes, lastStart) = WriteSingles();
        string path = _dir.File("read.log");
        byte[] torn = bytes[..(lastStart + 10)];
        File.WriteAllBytes(path, torn);

        using (var log = MiniStoreLog.Open(path, readOnly: readOnly))
        {
            Assert.Equal(Enumerable.Range(0, N - 1).Select(Record).ToList(), log.ReadJson());
            Assert.Equal(Record(N - 2), log.LastRecordAtOpen!.Value.Text());
        }
        Assert.Equal(torn, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.broken"));
    }

    /// <summary>What follows the last '\n' of a log in each case below: bytes no crash of MiniStore writes, still never acknowledged.</summary>
    public static TheoryData<string, byte[]> Garbage => new()
    {
        // The first bytes of a PNG file, up to the line break its signature holds.
        { "a PNG header", [0x89, (byte)'P', (byte)'N', (byte)'G', (byte)'\r'] },
        { "a text line without its line break", Encoding.UTF8.GetBytes("this is not a log line, ✓") },
        { "a block of zeros", new byte[4096] },
        { "one byte", [(byte)'x'] },
        { "bytes that are not UTF-8", [0xFF, 0xFE, 0xC0, 0x80, (byte)'}'] },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Bytes_after_the_last_line_break_are_a_torn_tail_whatever_they_are(string what, byte[] garbage)
    {
        var (bytes, _) = WriteSingles();
        var all = Enumerable.Range(0, N).Select(Record).ToList();
        AssertRepaired(_dir.File("garbage.log"), [.. bytes, .. garbage], bytes.Length, all, $"{what} after the log");
        AssertRepaired(_dir.File("garbage-append.log"), [.. bytes, .. garbage], bytes.Length, all, $"{what} after the log", byAppend: true);
    }

    [Theory]
    [InlineData(0, 5_000)]
    [InlineData((byte)'x', 200_000)]
    [InlineData(0, 2_500_000)] // copied to the .broken file in pieces
    public void Bytes_after_the_last_line_break_longer_than_the_line_limit_are_a_torn_tail_too(byte fill, int length)
    {
        // A power loss in a large write (a batch of many lines) can leave all of it as zeros: far more than one line.
        var options = new MiniStoreOptions { MaxLineLength = 1000 };
        var (bytes, _) = WriteSingles();
        byte[] tail = Enumerable.Repeat(fill, length).ToArray();
        var all = Enumerable.Range(0, N).Select(Record).ToList();
        AssertRepaired(_dir.File("long.log"), [.. bytes, .. tail], bytes.Length, all, $"{length} bytes after the log", options: options);
        AssertRepaired(_dir.File("long-append.log"), [.. bytes, .. tail], bytes.Length, all, $"{length} bytes after the log", byAppend: true, options: options);
        AssertRepaired(_dir.File("long-alone.log"), tail, 0, [], $"{length} bytes alone", options: options);
    }

    [Fact]
    public void A_log_of_nothing_but_zeros_is_a_torn_tail_at_offset_0()
    {
        string path = _dir.File("zeros.log");
        File.WriteAllBytes(path, new byte[4096]);
        using (var log = MiniStoreLog.Open(path, readOnly: true))
        {
            Assert.Equal(new TornTail(log.Path, 0, 4096, log.TornTail!.Reason), log.TornTail);
            Assert.Null(log.LastRecordAtOpen);
            Assert.Equal(0, log.Length);
            Assert.Empty(log.Read());
        }
        AssertRepaired(path, new byte[4096], 0, [], "zeros");
        AssertRepaired(_dir.File("zeros-append.log"), new byte[4096], 0, [], "zeros", byAppend: true);
    }

    /// <summary>Complete lines (with their '\n') that do not start like a log line: no crash leaves them, so they are damage and nothing is cut.</summary>
    public static TheoryData<string, byte[]> ForeignLines => new()
    {
        { "a text line", Encoding.UTF8.GetBytes("this is not a log line\n") },
        // A PNG signature holds two line breaks (0D 0A, 1A 0A): its bytes are whole lines, not a torn tail.
        { "a PNG signature", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A] },
    };

    [Theory]
    [MemberData(nameof(ForeignLines))]
    public void Complete_lines_after_a_log_that_are_not_log_lines_are_damage(string what, byte[] foreign)
    {
        var (bytes, _) = WriteSingles();
        string path = _dir.File("foreign.log");
        byte[] damaged = [.. bytes, .. foreign];
        File.WriteAllBytes(path, damaged);

        // The last line is the one reported (the PNG signature's second).
        var lines = LogTestHelpers.Lines(damaged);
        foreach (bool readOnly in new[] { false, true })
        {
            var e = Assert.Throws<CorruptLogException>(() => MiniStoreLog.Open(path, readOnly: readOnly));
            Assert.True(lines.Count == e.LineNumber, $"{what}: {e.Message}");
            Assert.Equal(lines[^1].Offset, e.Offset);
            Assert.Contains("not a write cut short", e.Message);
        }
        Assert.Equal(damaged, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.broken"));
    }
}
