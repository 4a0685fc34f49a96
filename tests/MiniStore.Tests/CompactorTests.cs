using System.Text;

namespace MiniStore.Tests;

/// <summary><see cref="LogCompactor.DropPrefix"/> on an open log: the file becomes exactly the suffix from the cut, byte for byte.</summary>
public sealed class CompactorTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static string Record(int n) => $"{{\"n\":{n},\"text\":\"record {n}\"}}";

    private byte[] WriteLog(string path, int records)
    {
        using (var log = MiniStoreLog.Open(path))
            for (int n = 1; n <= records;)
            {
                // Singles and batches of two: a cut may fall between any two lines, also inside a batch.
                if (n % 3 == 0 && n < records)
                {
                    log.AppendJsonBatch(Record(n), Record(n + 1));
                    n += 2;
                }
                else
                    log.AppendJson(Record(n++));
            }
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void The_compacted_log_holds_exactly_the_suffix_with_valid_checksums_and_the_old_handle_still_reads_the_old_file()
    {
        string path = _dir.File("log.jsonl");
        byte[] before = WriteLog(path, 10);
        var lines = LogTestHelpers.Lines(before);
        int cut = lines[4].Offset;

        using (var log = MiniStoreLog.Open(path))
        {
            Assert.Equal(cut, LogCompactor.DropPrefix(log, cut));

            // The name now leads to the suffix, byte for byte; every line still carries its valid checksum.
            byte[] after = File.ReadAllBytes(path);
            Assert.Equal(before[cut..], after);
            foreach (var (offset, length) in LogTestHelpers.Lines(after))
            {
                var line = after.AsSpan(offset, length - 1);
                Assert.Equal(Encoding.ASCII.GetString(line[8..16]), LogTestHelpers.SoftwareCrc32C(line[18..^1]).ToString("x8"));
            }
            Assert.False(File.Exists(path + LogCompactor.TemporaryExtension));

            // The open handle still reads the file it opened, whole.
            Assert.Equal(Enumerable.Range(1, 10).Select(Record), log.ReadJson());
            Assert.Equal(before.Length, log.Length);
        }

        using (var log = MiniStoreLog.Open(path))
        {
            Assert.Null(log.TornTail);
            Assert.Equal(Enumerable.Range(5, 6).Select(Record), log.ReadJson());
            Assert.Equal(Record(10), log.LastRecordAtOpen!.Value.Text());
            log.AppendJson(Record(11));
        }
        Assert.Equal(Enumerable.Range(5, 7).Select(Record), LogTestHelpers.ReadJson(path));
    }

    [Fact]
    public void Every_cut_at_a_line_start_leaves_that_suffix_and_each_step_is_made_durable()
    {
        string template = _dir.File("template.jsonl");
        byte[] before = WriteLog(template, 8);
        var lines = LogTestHelpers.Lines(before);
        for (int i = 1; i <= lines.Count; i++)
        {
            int cut = i < lines.Count ? lines[i].Offset : before.Length;
            string path = _dir.File($"cut-{i}.jsonl");
            File.WriteAllBytes(path, before);
            var sync = new CountingSync();
            using (var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync }))
            {
                LogCompactor.DropPrefix(log, cut);
                // The copy is synced (at its full length) before the rename, the directory after it.
                Assert.Equal([before.Length - cut], sync.FileLengthsAtSync);
                Assert.Equal([_dir.Path], sync.Directories);
            }
            Assert.Equal(before[cut..], File.ReadAllBytes(path));
            using (var log = MiniStoreLog.Open(path, readOnly: true))
                Assert.Equal(LogTestHelpers.ReadJson(template).Skip(i), log.ReadJson());
        }
    }

    [Fact]
    public void A_cut_inside_a_line_or_outside_the_log_is_refused_and_changes_nothing()
    {
        string path = _dir.File("log.jsonl");
        byte[] before = WriteLog(path, 3);
        int secondLine = Array.IndexOf(before, (byte)'\n') + 1;

        using (var log = MiniStoreLog.Open(path))
        {
            foreach (long cut in new long[] { secondLine + 5, secondLine - 1, 0, -1, before.Length + 1 })
            {
                var e = Assert.Throws<ArgumentOutOfRangeException>(() => LogCompactor.DropPrefix(log, cut));
                Assert.Contains(path, e.Message);
                Assert.Equal(before, File.ReadAllBytes(path));
                Assert.False(File.Exists(path + LogCompactor.TemporaryExtension));
            }
            Assert.Contains("not at the start of a line", Assert.Throws<ArgumentOutOfRangeException>(() => LogCompactor.DropPrefix(log, secondLine + 5)).Message);

            Assert.Equal(secondLine, LogCompactor.DropPrefix(log, secondLine));
        }
        Assert.Equal([Record(2), Record(3)], LogTestHelpers.ReadJson(path));
    }

    [Fact]
    public void A_torn_tail_is_kept_in_a_broken_copy_not_dropped_with_the_prefix()
    {
        string path = _dir.File("torn.jsonl");
        byte[] intact = WriteLog(path, 4);
        byte[] torn = [.. LogTestHelpers.EncodeLineBySpec(Record(5), more: true), .. "{\"crc\":\"12"u8];
        File.WriteAllBytes(path, [.. intact, .. torn]);
        int cut = LogTestHelpers.Lines(intact)[2].Offset;

        using (var log = MiniStoreLog.Open(path))
            LogCompactor.DropPrefix(log, cut);

        // The compacted log holds the live suffix; the bytes no append acknowledged are where a repair keeps them.
        Assert.Equal(intact[cut..], File.ReadAllBytes(path));
        string copy = Assert.Single(Directory.GetFiles(_dir.Path, "torn.jsonl.*.broken"));
        Assert.Equal(torn, File.ReadAllBytes(copy));
    }

    [Fact]
    public void A_log_opened_read_only_is_not_compacted()
    {
        string path = _dir.File("read-only.jsonl");
        byte[] before = WriteLog(path, 3);
        int secondLine = LogTestHelpers.Lines(before)[1].Offset;

        using (var log = MiniStoreLog.Open(path, readOnly: true))
        {
            var e = Assert.Throws<InvalidOperationException>(() => LogCompactor.DropPrefix(log, secondLine));
            Assert.Contains(path, e.Message);
            Assert.Contains("reading only", e.Message);
        }
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void A_leftover_copy_of_an_interrupted_compaction_is_removed()
    {
        string path = _dir.File("log.jsonl");
        byte[] before = WriteLog(path, 3);
        File.WriteAllBytes(path + LogCompactor.TemporaryExtension, before[10..]);

        Assert.True(LogCompactor.RemoveLeftover(path));
        Assert.False(File.Exists(path + LogCompactor.TemporaryExtension));
        Assert.False(LogCompactor.RemoveLeftover(path));
        Assert.Equal(before, File.ReadAllBytes(path));
    }
}
