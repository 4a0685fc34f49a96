using System.Text;
using System.Text.Json;

namespace MiniStore.Tests;

public sealed class RoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Appends_and_batches_replay_in_exact_order_across_reopen_cycles()
    {
        string path = _dir.File("order.log");
        var expected = new List<string>();
        int n = 0;
        string Next() => $"{{\"n\":{n++},\"s\":\"v{n}\"}}";

        for (int cycle = 0; cycle < 5; cycle++)
        {
            await using (var log = await MiniStoreLog.OpenAsync(path))
            {
                Assert.Null(log.Repair);
                Assert.Equal(expected.Count, await LogTestHelpers.CountAsync(path));
                Assert.Equal(new FileInfo(path).Length, log.Length);
                if (expected.Count == 0)
                    Assert.Null(log.LastRecordAtOpen);
                else
                    Assert.Equal(expected[^1], Encoding.UTF8.GetString(log.LastRecordAtOpen!.Value.Json.Span));

                for (int i = 0; i < 3; i++)
                {
                    string single = Next();
                    await log.AppendJsonAsync(single);
                    expected.Add(single);

                    var batch = Enumerable.Range(0, i + 1 + cycle).Select(_ => Next()).ToArray();
                    await log.AppendJsonBatchAsync(batch);
                    expected.AddRange(batch);
                }
                Assert.Equal(expected.Count, await LogTestHelpers.CountAsync(path));
                Assert.Equal(new FileInfo(path).Length, log.Length);
            }

            Assert.Equal(expected, await LogTestHelpers.ReadJsonAsync(path));
        }
    }

    public sealed record Item(string Sku, int Quantity);
    public sealed record Order(int Id, string Customer, decimal Total, double Ratio, bool Paid, DateTimeOffset At, List<Item> Items, Dictionary<string, string> Tags, string? Note);

    [Fact]
    public async Task ReplayAsync_round_trips_a_record_type()
    {
        string path = _dir.File("typed.log");
        var orders = Enumerable.Range(1, 20).Select(i => new Order(
            i,
            $"customer \"{i}\" with a line\nbreak, tab\t, unicode ✓ é 𝄞 and a backslash \\",
            i * 10.25m,
            i / 3.0,
            i % 2 == 0,
            new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(i % 5)),
            Enumerable.Range(0, i % 4).Select(k => new Item($"sku-{k}", k)).ToList(),
            new Dictionary<string, string> { ["k"] = $"v{i}", ["empty"] = "" },
            i % 3 == 0 ? null : "note")).ToList();

        await using (var log = await MiniStoreLog.OpenAsync(path))
        {
            foreach (var order in orders.Take(10))
                await log.AppendAsync(order);
            await log.AppendBatchAsync(orders.Skip(10));
        }

        var replayed = new List<Order>();
        await foreach (var order in MiniStoreLog.ReplayAsync<Order>(path))
            replayed.Add(order);

        Assert.Equal(orders.Count, replayed.Count);
        for (int i = 0; i < orders.Count; i++)
        {
            // Records with collections compare by reference; compare their JSON instead.
            Assert.Equal(JsonSerializer.Serialize(orders[i]), JsonSerializer.Serialize(replayed[i]));
            Assert.Equal(orders[i].Customer, replayed[i].Customer);
            Assert.Equal(orders[i].Total, replayed[i].Total);
        }
    }

    [Fact]
    public async Task File_is_valid_jsonl_with_checksums_and_more_flags_per_the_format()
    {
        string path = _dir.File("format.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
        {
            await log.AppendJsonAsync("{\"a\":1}");
            await log.AppendJsonBatchAsync("{\"b\":2}", "[1,2,3]", "\"text with \\\" quote\"");
            await log.AppendJsonAsync("42");
            await log.AppendJsonBatchAsync("null", "true");
        }

        string[] expectedRecords = ["{\"a\":1}", "{\"b\":2}", "[1,2,3]", "\"text with \\\" quote\"", "42", "null", "true"];
        bool[] expectedMore = [false, true, true, false, false, true, false];

        byte[] bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal((byte)'\n', bytes[^1]);
        var lines = LogTestHelpers.Lines(bytes);
        Assert.Equal(expectedRecords.Length, lines.Count);

        var expectedFile = new List<byte>();
        for (int i = 0; i < lines.Count; i++)
        {
            var (offset, length) = lines[i];
            var line = bytes.AsSpan(offset, length - 1); // without '\n'
            using var doc = JsonDocument.Parse(line.ToArray());
            var root = doc.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);

            string crc = root.GetProperty("crc").GetString()!;
            Assert.Matches("^[0-9a-f]{8}$", crc);
            // The CRC covers the bytes between {"crc":"XXXXXXXX", and the final }.
            uint actual = Crc32C.Compute(line[18..^1]);
            Assert.Equal(crc, actual.ToString("x8"));
            Assert.Equal(actual, LogTestHelpers.SoftwareCrc32C(line[18..^1]));

            Assert.Equal(expectedRecords[i], root.GetProperty("rec").GetRawText());
            Assert.Equal(expectedMore[i], root.TryGetProperty("more", out var more) && more.GetBoolean());

            expectedFile.AddRange(LogTestHelpers.EncodeLineBySpec(expectedRecords[i], expectedMore[i]));
        }
        // Byte for byte what the specification says.
        Assert.Equal(expectedFile.ToArray(), bytes);
    }

    [Fact]
    public async Task ReadAsync_reports_line_numbers_and_offsets_and_can_resume_from_a_position()
    {
        string path = _dir.File("positions.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
        {
            for (int i = 0; i < 4; i++)
                await log.AppendJsonAsync($"{{\"i\":{i}}}");
            await log.AppendJsonBatchAsync("{\"i\":4}", "{\"i\":5}");
        }

        byte[] bytes = await File.ReadAllBytesAsync(path);
        var lines = LogTestHelpers.Lines(bytes);
        var records = new List<(string Json, long Line, long Offset)>();
        await foreach (var r in MiniStoreLog.ReadAsync(path))
            records.Add((Encoding.UTF8.GetString(r.Json.Span), r.LineNumber, r.Offset));

        Assert.Equal(6, records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal($"{{\"i\":{i}}}", records[i].Json);
            Assert.Equal(i + 1, records[i].Line);
            Assert.Equal(lines[i].Offset, records[i].Offset);
        }

        var resumed = new List<string>();
        await foreach (var r in MiniStoreLog.ReadAsync(path, records[2].Offset, records[2].Line))
        {
            resumed.Add(Encoding.UTF8.GetString(r.Json.Span));
            Assert.True(r.LineNumber >= 3);
        }
        Assert.Equal(records.Skip(2).Select(r => r.Json), resumed);

        // An end offset stops before the batch.
        var bounded = new List<string>();
        await foreach (var r in MiniStoreLog.ReadAsync(path, 0, 1, records[4].Offset))
            bounded.Add(Encoding.UTF8.GetString(r.Json.Span));
        Assert.Equal(records.Take(4).Select(r => r.Json), bounded);
    }

    [Fact]
    public async Task Reading_a_missing_log_yields_nothing_and_an_empty_log_opens_cleanly()
    {
        Assert.Empty(await LogTestHelpers.ReadJsonAsync(_dir.File("missing.log")));
        Assert.False(File.Exists(_dir.File("missing.log")));

        string path = _dir.File("empty.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
        {
            Assert.Null(log.Repair);
            Assert.Equal(0, await LogTestHelpers.CountAsync(path));
            Assert.Equal(0, log.Length);
        }
        Assert.True(File.Exists(path));
        Assert.Equal(0, new FileInfo(path).Length);
        await using (var log = await MiniStoreLog.OpenAsync(path))
            Assert.Null(log.Repair);
    }
}
