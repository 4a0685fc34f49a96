using System.Text;

namespace MiniStore.Tests;

public sealed class ValidationTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> BadRecords => new()
    {
        "",
        "{",
        "not json",
        "{\"a\":1,}",
        "{\"a\":1} {\"b\":2}",
        "1 2",
        "// comment\n1",
        "{\"a\":\n1}",
        "{\"a\":1}\n",
        "\"x\"\r",
        "{\"a\":\r\n1}",
        "[1,\n2]",
        "{'a':1}",
    };

    [Theory]
    [MemberData(nameof(BadRecords))]
    public void Invalid_json_or_raw_line_breaks_are_rejected_and_nothing_is_written(string record)
    {
        string path = _dir.File("bad.log");
        using (var log = MiniStoreLog.Open(path))
        {
            log.AppendJson("{\"ok\":1}");
            long before = new FileInfo(path).Length;

            Assert.Throws<ArgumentException>(() => log.AppendJson(record));
            // Atomic: a batch with one bad record writes none of its good ones either.
            Assert.Throws<ArgumentException>(() => log.AppendJsonBatch("{\"good\":1}", record, "{\"good\":2}"));

            Assert.Equal(before, new FileInfo(path).Length);
            Assert.Equal(1, LogTestHelpers.Count(path));
            log.AppendJson("{\"ok\":2}");
        }
        Assert.Equal(["{\"ok\":1}", "{\"ok\":2}"], LogTestHelpers.ReadJson(path));
    }

    [Fact]
    public void A_rejected_record_is_named_by_its_log_its_place_in_the_batch_and_what_is_wrong()
    {
        string path = _dir.File("named.log");
        using var log = MiniStoreLog.Open(path);
        var e = Assert.Throws<ArgumentException>(() => log.AppendJsonBatch("{\"good\":1}", "{\"a\":\n1}", "{\"good\":2}"));
        Assert.Contains(path, e.Message);
        Assert.Contains("Record 2 of 3", e.Message);
        Assert.Contains("raw line break at byte 5", e.Message);
    }

    [Fact]
    public void Escaped_line_breaks_inside_strings_are_fine()
    {
        string path = _dir.File("escaped.log");
        using (var log = MiniStoreLog.Open(path))
            log.Append(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { text = "line one\nline two\r\n" }));
        var text = new List<string>();
        using (var log = MiniStoreLog.Open(path, readOnly: true))
            foreach (var r in log.Read())
                text.Add(System.Text.Json.JsonDocument.Parse(r.Json).RootElement.GetProperty("text").GetString()!);
        Assert.Equal(["line one\nline two\r\n"], text);
        Assert.Single(LogTestHelpers.Lines(File.ReadAllBytes(path)));
    }

    [Fact]
    public void Record_longer_than_the_line_limit_is_rejected_on_append()
    {
        string path = _dir.File("long-append.log");
        var options = new MiniStoreOptions { MaxLineLength = 1024 };
        using var log = MiniStoreLog.Open(path, options);
        string big = "\"" + new string('x', 2000) + "\"";
        var e = Assert.Throws<ArgumentException>(() => log.AppendJson(big));
        Assert.Contains("1024", e.Message);
        Assert.Equal(0, new FileInfo(path).Length);
        log.AppendJson("\"" + new string('x', 900) + "\"");
    }

    /// <summary>Three hand-encoded lines; the middle one holds a string of <paramref name="payload"/> characters.</summary>
    private (string Path, long LongLineOffset) WriteFileWithLongLine(string name, int payload)
    {
        string path = _dir.File(name);
        byte[] first = LogTestHelpers.EncodeLineBySpec("{\"i\":1}");
        byte[] middle = LogTestHelpers.EncodeLineBySpec("{\"big\":\"" + new string('b', payload) + "\"}");
        byte[] last = LogTestHelpers.EncodeLineBySpec("{\"i\":3}");
        File.WriteAllBytes(path, [.. first, .. middle, .. last]);
        return (path, first.Length);
    }

    [Theory]
    [InlineData(2 * 1024 * 1024)]  // a 2 MB line
    [InlineData(2_000_000)]        // just under 2 MiB: fits a doubled read buffer
    [InlineData(1_500_000)]
    [InlineData(1024 * 1024)]      // just over the limit once framed
    public void Line_longer_than_MaxLineLength_throws_on_read_naming_the_limit(int payload)
    {
        var (path, offset) = WriteFileWithLongLine($"long-{payload}.log", payload);
        byte[] before = File.ReadAllBytes(path);
        var options = new MiniStoreOptions { MaxLineLength = 1024 * 1024 };

        var read = Assert.Throws<CorruptLogException>(() => LogTestHelpers.ReadJson(path, options));
        Assert.Contains("1048576", read.Message);
        Assert.Contains(path, read.Message);
        Assert.Equal(2, read.LineNumber);
        Assert.Equal(offset, read.Offset);

        // Opening reads only the end of the log: the long line in the middle is left for the read to find.
        using (var log = MiniStoreLog.Open(path, options))
            Assert.Null(log.TornTail);
        Assert.Equal(before, File.ReadAllBytes(path));

        // Within the default 16 MiB limit the same file is a fine log.
        var records = LogTestHelpers.ReadJson(path);
        Assert.Equal(3, records.Count);
        Assert.Equal(payload + 10, records[1].Length);
    }

    [Fact]
    public void Last_line_longer_than_MaxLineLength_fails_open_naming_its_line_and_start()
    {
        string path = _dir.File("long-last.log");
        byte[] first = LogTestHelpers.EncodeLineBySpec("{\"i\":1}");
        byte[] last = LogTestHelpers.EncodeLineBySpec("{\"big\":\"" + new string('b', 300_000) + "\"}");
        byte[] bytes = [.. first, .. last];
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<CorruptLogException>(() => MiniStoreLog.Open(path, new MiniStoreOptions { MaxLineLength = 100_000 }));
        Assert.Contains("100000-byte limit", e.Message);
        Assert.Equal(2, e.LineNumber);
        Assert.Equal(first.Length, e.Offset);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Last_line_longer_than_MaxLineLength_without_its_line_break_is_a_torn_tail()
    {
        // Never acknowledged (no '\n'), so a torn tail like any bytes after the last line break, whatever their length.
        string path = _dir.File("long-last-torn.log");
        byte[] first = LogTestHelpers.EncodeLineBySpec("{\"i\":1}");
        byte[] last = LogTestHelpers.EncodeLineBySpec("{\"big\":\"" + new string('b', 300_000) + "\"}")[..^1];
        byte[] bytes = [.. first, .. last];
        File.WriteAllBytes(path, bytes);

        using var log = MiniStoreLog.Open(path, new MiniStoreOptions { MaxLineLength = 100_000 });
        Assert.Equal(new TornTail(log.Path, first.Length, last.Length, log.TornTail!.Reason), log.TornTail);
        Assert.Equal(["{\"i\":1}"], log.ReadJson());
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Small_line_limit_is_enforced_on_read_even_when_the_line_fits_the_read_buffer()
    {
        var (path, offset) = WriteFileWithLongLine("small-limit.log", 5000);
        var options = new MiniStoreOptions { MaxLineLength = 1000 };
        var e = Assert.Throws<CorruptLogException>(() => LogTestHelpers.ReadJson(path, options));
        Assert.Contains("1000", e.Message);
        Assert.Equal(2, e.LineNumber);
        Assert.Equal(offset, e.Offset);
    }

    [Fact]
    public void Line_at_the_limit_written_with_the_same_options_reads_back()
    {
        string path = _dir.File("at-limit.log");
        var options = new MiniStoreOptions { MaxLineLength = 4096 };
        string record = "\"" + new string('y', 4096 - LineFormat.MaxFramingLength - 2) + "\""; // the largest record append accepts
        using (var log = MiniStoreLog.Open(path, options))
        {
            log.AppendJson(record);
            log.AppendJsonBatch(record, record);
            Assert.Throws<ArgumentException>(() => log.AppendJson("\"" + new string('y', 4096 - LineFormat.MaxFramingLength - 1) + "\""));
        }
        Assert.Equal([record, record, record], LogTestHelpers.ReadJson(path, options));
        using (var log = MiniStoreLog.Open(path, options))
            Assert.Equal(3, log.ReadJson().Count);
    }

    [Fact]
    public void Utf8_records_round_trip_byte_for_byte()
    {
        string path = _dir.File("utf8.log");
        string record = "{\"s\":\"ünïcödé ✓ 𝄞 日本語\"}";
        using (var log = MiniStoreLog.Open(path))
            log.AppendJson(record);
        Assert.Equal([record], LogTestHelpers.ReadJson(path));
        Assert.Equal(LogTestHelpers.EncodeLineBySpec(record), File.ReadAllBytes(path));
        Assert.True(Encoding.UTF8.GetByteCount(record) > record.Length);
    }

    [Fact]
    public void Without_parsing_records_line_breaks_empty_and_over_long_records_are_still_refused()
    {
        string path = _dir.File("unparsed.log");
        var options = new MiniStoreOptions { ParseRecords = false, MaxLineLength = 1024 };
        using (var log = MiniStoreLog.Open(path, options))
        {
            foreach (string record in new[] { "", "{\"a\":\n1}", "\"x\"\r", "\"" + new string('x', 2000) + "\"" })
                Assert.Throws<ArgumentException>(() => log.AppendJsonBatch("{\"good\":1}", record));
            Assert.Equal(0, new FileInfo(path).Length);
            log.AppendJson("{\"a\":1}");
        }
        Assert.Equal(["{\"a\":1}"], LogTestHelpers.ReadJson(path));
    }
}
