using System.Text;
using System.Text.Json;

namespace MiniStore.Tests;

public sealed class RoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Appends_and_batches_replay_in_exact_order_across_reopen_cycles()
    {
        string path = _dir.File("order.log");
        var expected = new List<string>();
        int n = 0;
        string Next() => $"{{\"n\":{n++},\"s\":\"v{n}\"}}";

        for (int cycle = 0; cycle < 5; cycle++)
        {
            using (var log = MiniStoreLog.Open(path))
            {
                Assert.Null(log.TornTail);
                Assert.Equal(expected, log.ReadJson());
                Assert.Equal(new FileInfo(path).Length, log.Length);
                if (expected.Count == 0)
                    Assert.Null(log.LastRecordAtOpen);
                else
                    Assert.Equal(expected[^1], log.LastRecordAtOpen!.Value.Text());

                for (int i = 0; i < 3; i++)
                {
                    string single = Next();
                    log.AppendJson(single);
                    expected.Add(single);

                    var batch = Enumerable.Range(0, i + 1 + cycle).Select(_ => Next()).ToArray();
                    log.AppendJsonBatch(batch);
                    expected.AddRange(batch);
                }
                Assert.Equal(expected, log.ReadJson());
                Assert.Equal(new FileInfo(path).Length, log.Length);
            }

            Assert.Equal(expected, LogTestHelpers.ReadJson(path));
        }
    }

    public sealed record Item(string Sku, int Quantity);
    public sealed record Order(int Id, string Customer, decimal Total, double Ratio, bool Paid, DateTimeOffset At, List<Item> Items, Dictionary<string, string> Tags, string? Note);

    [Fact]
    public void Records_serialized_from_a_type_round_trip()
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

        using (var log = MiniStoreLog.Open(path))
        {
            foreach (var order in orders.Take(10))
                log.Append(JsonSerializer.SerializeToUtf8Bytes(order));
            log.Append(orders.Skip(10).Select(o => (ReadOnlyMemory<byte>)JsonSerializer.SerializeToUtf8Bytes(o)).ToList());
        }

        List<Order> replayed;
        using (var log = MiniStoreLog.Open(path, readOnly: true))
            replayed = log.Read().Select(r => JsonSerializer.Deserialize<Order>(r.Json.Span)!).ToList();

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
    public void File_is_valid_jsonl_with_checksums_and_more_flags_per_the_format()
    {
        string path = _dir.File("format.log");
        using (var log = MiniStoreLog.Open(path))
        {
            log.AppendJson("{\"a\":1}");
            log.AppendJsonBatch("{\"b\":2}", "[1,2,3]", "\"text with \\\" quote\"");
            log.AppendJson("42");
            log.AppendJsonBatch("null", "true");
            log.AppendBatches([[LogTestHelpers.Utf8("false")], [LogTestHelpers.Utf8("1.5"), LogTestHelpers.Utf8("{}")]]);
        }

        string[] expectedRecords = ["{\"a\":1}", "{\"b\":2}", "[1,2,3]", "\"text with \\\" quote\"", "42", "null", "true", "false", "1.5", "{}"];
        bool[] expectedMore = [false, true, true, false, false, true, false, false, true, false];

        byte[] bytes = File.ReadAllBytes(path);
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
    public void A_read_reports_line_numbers_and_offsets_and_can_resume_from_a_position()
    {
        string path = _dir.File("positions.log");
        using (var log = MiniStoreLog.Open(path))
        {
            for (int i = 0; i < 4; i++)
                log.AppendJson($"{{\"i\":{i}}}");
            log.AppendJsonBatch("{\"i\":4}", "{\"i\":5}");
        }

        byte[] bytes = File.ReadAllBytes(path);
        var lines = LogTestHelpers.Lines(bytes);
        using var reader = MiniStoreLog.Open(path, readOnly: true);
        var records = reader.Read().Select(r => (Json: r.Text(), Line: r.LineNumber, r.Offset)).ToList();

        Assert.Equal(6, records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal($"{{\"i\":{i}}}", records[i].Json);
            Assert.Equal(i + 1, records[i].Line);
            Assert.Equal(lines[i].Offset, records[i].Offset);
        }

        var resumed = new List<string>();
        foreach (var r in reader.Read(records[2].Offset, records[2].Line))
        {
            resumed.Add(r.Text());
            Assert.Equal(records[resumed.Count + 1].Line, r.LineNumber);
        }
        Assert.Equal(records.Skip(2).Select(r => r.Json), resumed);

        // From an offset whose line is not known, records carry line number 0.
        Assert.All(reader.Read(records[4].Offset, 0), r => Assert.Equal(0, r.LineNumber));
        Assert.Equal(["{\"i\":4}", "{\"i\":5}"], reader.ReadJson(records[4].Offset, 0));
    }

    [Fact]
    public void A_read_ends_where_the_log_ended_when_it_started()
    {
        string path = _dir.File("growing.log");
        using var log = MiniStoreLog.Open(path);
        for (int i = 0; i < 3; i++)
            log.AppendJson($"{{\"i\":{i}}}");

        var read = new List<string>();
        foreach (var r in log.Read())
        {
            read.Add(r.Text());
            if (read.Count == 1)
                log.AppendJsonBatch("{\"i\":3}", "{\"i\":4}"); // appended while the read is under way
        }
        Assert.Equal(["{\"i\":0}", "{\"i\":1}", "{\"i\":2}"], read);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{{\"i\":{i}}}"), log.ReadJson());
    }

    [Fact]
    public void Opening_a_missing_log_read_only_fails_and_creates_nothing_and_an_empty_log_opens_cleanly()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => MiniStoreLog.Open(_dir.File("missing.log"), readOnly: true));
        Assert.Contains(_dir.File("missing.log"), missing.Message);
        Assert.False(File.Exists(_dir.File("missing.log")));
        Assert.False(MiniStoreLog.Exists(_dir.File("missing.log")));

        string path = _dir.File("empty.log");
        using (var log = MiniStoreLog.Open(path))
        {
            Assert.Null(log.TornTail);
            Assert.Null(log.LastRecordAtOpen);
            Assert.Empty(log.Read());
            Assert.Equal(0, log.Length);
        }
        Assert.True(File.Exists(path));
        Assert.True(MiniStoreLog.Exists(path));
        Assert.Equal(0, new FileInfo(path).Length);
        foreach (bool readOnly in new[] { false, true })
        {
            using var log = MiniStoreLog.Open(path, readOnly: readOnly);
            Assert.Null(log.TornTail);
            Assert.Equal(0, log.Length);
            Assert.Null(log.RepairTail());
        }
        Assert.Equal(0, new FileInfo(path).Length);
    }
}
