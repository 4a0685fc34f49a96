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
    public async Task Invalid_json_or_raw_line_breaks_are_rejected_and_nothing_is_written(string record)
    {
        string path = _dir.File("bad.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
        {
            await log.AppendJsonAsync("{\"ok\":1}");
            long before = new FileInfo(path).Length;

            await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendJsonAsync(record));
            // Atomic: a batch with one bad record writes none of its good ones either.
            await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendJsonBatchAsync("{\"good\":1}", record, "{\"good\":2}"));

            Assert.Equal(before, new FileInfo(path).Length);
            Assert.Equal(1, await LogTestHelpers.CountAsync(path));
            await log.AppendJsonAsync("{\"ok\":2}");
        }
        Assert.Equal(["{\"ok\":1}", "{\"ok\":2}"], await LogTestHelpers.ReadJsonAsync(path));
    }

    [Fact]
    public async Task A_rejected_record_is_named_by_its_log_its_place_in_the_batch_and_what_is_wrong()
    {
        string path = _dir.File("named.log");
        await using var log = await MiniStoreLog.OpenAsync(path);
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendJsonBatchAsync("{\"good\":1}", "{\"a\":\n1}", "{\"good\":2}"));
        Assert.Contains(path, e.Message);
        Assert.Contains("Record 2 of 3", e.Message);
        Assert.Contains("raw line break at byte 5", e.Message);
    }

    [Fact]
    public async Task Escaped_line_breaks_inside_strings_are_fine()
    {
        string path = _dir.File("escaped.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
            await log.AppendAsync(new { text = "line one\nline two\r\n" });
        var text = new List<string>();
        await foreach (var e in MiniStoreLog.ReplayAsync<System.Text.Json.JsonElement>(path))
            text.Add(e.GetProperty("text").GetString()!);
        Assert.Equal(["line one\nline two\r\n"], text);
        Assert.Single(LogTestHelpers.Lines(await File.ReadAllBytesAsync(path)));
    }

    [Fact]
    public async Task Record_longer_than_the_line_limit_is_rejected_on_append()
    {
        string path = _dir.File("long-append.log");
        var options = new MiniStoreOptions { MaxLineLength = 1024 };
        await using var log = await MiniStoreLog.OpenAsync(path, options);
        string big = "\"" + new string('x', 2000) + "\"";
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendJsonAsync(big));
        Assert.Contains("1024", e.Message);
        Assert.Equal(0, new FileInfo(path).Length);
        await log.AppendJsonAsync("\"" + new string('x', 900) + "\"");
    }

    /// <summary>Three hand-encoded lines; the middle one holds a string of <paramref name="payload"/> characters.</summary>
    private async Task<(string Path, long LongLineOffset)> WriteFileWithLongLineAsync(string name, int payload)
    {
        string path = _dir.File(name);
        byte[] first = LogTestHelpers.EncodeLineBySpec("{\"i\":1}");
        byte[] middle = LogTestHelpers.EncodeLineBySpec("{\"big\":\"" + new string('b', payload) + "\"}");
        byte[] last = LogTestHelpers.EncodeLineBySpec("{\"i\":3}");
        await File.WriteAllBytesAsync(path, [.. first, .. middle, .. last]);
        return (path, first.Length);
    }

    [Theory]
    [InlineData(2 * 1024 * 1024)]  // a 2 MB line
    [InlineData(2_000_000)]        // just under 2 MiB: fits a doubled read buffer
    [InlineData(1_500_000)]
    [InlineData(1024 * 1024)]      // just over the limit once framed
    public async Task Line_longer_than_MaxLineLength_throws_on_read_naming_the_limit(int payload)
    {
        var (path, offset) = await WriteFileWithLongLineAsync($"long-{payload}.log", payload);
        byte[] before = await File.ReadAllBytesAsync(path);
        var options = new MiniStoreOptions { MaxLineLength = 1024 * 1024 };

        var read = await Assert.ThrowsAsync<CorruptLogException>(() => LogTestHelpers.ReadJsonAsync(path, options));
        Assert.Contains("1048576", read.Message);
        Assert.Contains(path, read.Message);
        Assert.Equal(2, read.LineNumber);
        Assert.Equal(offset, read.Offset);

        // Opening reads only the end of the log: the long line in the middle is left for the read to find.
        await using (var log = await MiniStoreLog.OpenAsync(path, options))
            Assert.Null(log.Repair);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));

        // Within the default 16 MiB limit the same file is a fine log.
        var records = await LogTestHelpers.ReadJsonAsync(path);
        Assert.Equal(3, records.Count);
        Assert.Equal(payload + 10, records[1].Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Last_line_longer_than_MaxLineLength_fails_open_naming_its_line_and_start(bool withLineBreak)
    {
        string path = _dir.File($"long-last-{withLineBreak}.log");
        byte[] first = LogTestHelpers.EncodeLineBySpec("{\"i\":1}");
        byte[] last = LogTestHelpers.EncodeLineBySpec("{\"big\":\"" + new string('b', 300_000) + "\"}");
        byte[] bytes = [.. first, .. last[..(withLineBreak ? ^0 : ^1)]];
        await File.WriteAllBytesAsync(path, bytes);

        var e = await Assert.ThrowsAsync<CorruptLogException>(() => MiniStoreLog.OpenAsync(path, new MiniStoreOptions { MaxLineLength = 100_000 }));
        Assert.Contains("100000-byte limit", e.Message);
        Assert.Equal(2, e.LineNumber);
        Assert.Equal(first.Length, e.Offset);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Small_line_limit_is_enforced_on_read_even_when_the_line_fits_the_read_buffer()
    {
        var (path, offset) = await WriteFileWithLongLineAsync("small-limit.log", 5000);
        var options = new MiniStoreOptions { MaxLineLength = 1000 };
        var e = await Assert.ThrowsAsync<CorruptLogException>(() => LogTestHelpers.ReadJsonAsync(path, options));
        Assert.Contains("1000", e.Message);
        Assert.Equal(2, e.LineNumber);
        Assert.Equal(offset, e.Offset);
    }

    [Fact]
    public async Task Line_at_the_limit_written_with_the_same_options_reads_back()
    {
        string path = _dir.File("at-limit.log");
        var options = new MiniStoreOptions { MaxLineLength = 4096 };
        string record = "\"" + new string('y', 4096 - 40 - 2) + "\""; // the largest record append accepts
        await using (var log = await MiniStoreLog.OpenAsync(path, options))
        {
            await log.AppendJsonAsync(record);
            await log.AppendJsonBatchAsync(record, record);
        }
        Assert.Equal([record, record, record], await LogTestHelpers.ReadJsonAsync(path, options));
        await using (var log = await MiniStoreLog.OpenAsync(path, options))
            Assert.Equal(3, await LogTestHelpers.CountAsync(path));
    }

    [Fact]
    public async Task Utf8_records_round_trip_byte_for_byte()
    {
        string path = _dir.File("utf8.log");
        string record = "{\"s\":\"ünïcödé ✓ 𝄞 日本語\"}";
        await using (var log = await MiniStoreLog.OpenAsync(path))
            await log.AppendJsonAsync(record);
        Assert.Equal([record], await LogTestHelpers.ReadJsonAsync(path));
        Assert.Equal(LogTestHelpers.EncodeLineBySpec(record), await File.ReadAllBytesAsync(path));
        Assert.True(Encoding.UTF8.GetByteCount(record) > record.Length);
    }

    [Fact]
    public async Task Bytes_given_to_the_serializing_append_are_refused_not_stored_as_base64()
    {
        using var dir = new TempDir();
        string path = dir.File("bytes.jsonl");
        var json = Encoding.UTF8.GetBytes("{\"a\":1}");
        await using (var log = await MiniStoreLog.OpenAsync(path))
        {
            await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(json));
            await Assert.ThrowsAsync<ArgumentException>(() => log.AppendBatchAsync(new[] { json }));
            await log.AppendJsonAsync((ReadOnlyMemory<byte>)json);
        }
        Assert.Equal(["{\"a\":1}"], await LogTestHelpers.ReadJsonAsync(path));
    }
}
