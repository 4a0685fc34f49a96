namespace MiniStore.Tests;

public sealed class CorruptionTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private byte[] WriteFive()
    {
        string path = _dir.File("template.log");
        using (var log = MiniStoreLog.Open(path))
            for (int i = 1; i <= 5; i++)
                log.AppendJson($"{{\"line\":{i},\"text\":\"hello\"}}");
        byte[] bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>
    /// Damage with intact data after it. Opening reads only the end of the log, so it finds the damage only when it is
    /// in the last complete line or just before a torn one (<paramref name="foundByOpen"/>); otherwise the log opens
    /// and every read that reaches the damage fails, naming the file, the line and the offset, also one that started
    /// at an offset without knowing its line number (as after a seek).
    /// </summary>
    private void AssertCorruptAt(string path, byte[] damaged, long expectedLine, long expectedOffset, bool foundByOpen = false)
    {
        File.WriteAllBytes(path, damaged);

        foreach (bool readOnly in new[] { false, true })
        {
            if (foundByOpen)
            {
                var open = Assert.Throws<CorruptLogException>(() => MiniStoreLog.Open(path, readOnly: readOnly));
                AssertNames(open, path, expectedLine, expectedOffset);
                continue;
            }
            using var log = MiniStoreLog.Open(path, readOnly: readOnly);
            Assert.Null(log.TornTail);

            var read = Assert.Throws<CorruptLogException>(() => log.ReadJson());
            AssertNames(read, path, expectedLine, expectedOffset);

            // From the second line, as after a seek: the line number is counted for the report only.
            var uncounted = Assert.Throws<CorruptLogException>(() => log.ReadJson(Array.IndexOf(damaged, (byte)'\n') + 1, fromLineNumber: 0));
            AssertNames(uncounted, path, expectedLine, expectedOffset);
        }

        // Nothing was repaired, truncated or copied.
        Assert.Equal(damaged, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.broken"));
    }

    private static void AssertNames(CorruptLogException e, string path, long line, long offset)
    {
        Assert.Contains(path, e.Message);
        Assert.Contains($"line {line}", e.Message);
        Assert.Contains($"offset {offset}", e.Message);
        Assert.Equal(path, e.LogPath);
        Assert.Equal(line, e.LineNumber);
        Assert.Equal(offset, e.Offset);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Fact]
    public void Flipped_byte_in_line_2_of_5_throws_naming_file_and_line_and_leaves_the_file_alone()
    {
        byte[] bytes = WriteFive();
        var lines = LogTestHelpers.Lines(bytes);
        var (start, length) = lines[1];

        byte[] damaged = (byte[])bytes.Clone();
        damaged[start + length / 2] ^= 0x01;
        AssertCorruptAt(_dir.File("middle.log"), damaged, 2, start);
    }

    [Fact]
    public void Any_flipped_byte_in_line_2_of_5_is_corruption_at_line_2()
    {
        byte[] bytes = WriteFive();
        var (start, length) = LogTestHelpers.Lines(bytes)[1];

        // Every byte including the '\n' (which merges lines 2 and 3 into one damaged line).
        for (int i = start; i < start + length; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x01;
            AssertCorruptAt(_dir.File($"flip-{i}.log"), damaged, 2, start);
        }
    }

    [Fact]
    public void Damaged_second_to_last_line_is_corruption_not_a_torn_tail_found_by_the_read()
    {
        byte[] bytes = WriteFive();
        var (start, _) = LogTestHelpers.Lines(bytes)[3];
        byte[] damaged = (byte[])bytes.Clone();
        damaged[start + 25] ^= 0x20;
        AssertCorruptAt(_dir.File("fourth.log"), damaged, 4, start);
    }

    [Fact]
    public void Damaged_line_followed_by_a_torn_line_is_still_corruption()
    {
        byte[] bytes = WriteFive();
        var lines = LogTestHelpers.Lines(bytes);
        byte[] damaged = bytes[..(lines[4].Offset + 5)]; // line 5 cut short
        damaged[lines[3].Offset + 25] ^= 0x20;        // line 4 damaged
        AssertCorruptAt(_dir.File("two.log"), damaged, 4, lines[3].Offset, foundByOpen: true);
    }

    [Fact]
    public void Damage_inside_a_batch_followed_by_intact_data_is_corruption()
    {
        string template = _dir.File("batch-template.log");
        using (var log = MiniStoreLog.Open(template))
        {
            log.AppendJson("{\"a\":0}");
            log.AppendJsonBatch("{\"b\":1}", "{\"b\":2}", "{\"b\":3}");
            log.AppendJson("{\"c\":4}");
        }
        byte[] bytes = File.ReadAllBytes(template);
        var lines = LogTestHelpers.Lines(bytes);
        byte[] damaged = (byte[])bytes.Clone();
        damaged[lines[2].Offset + 30] ^= 0x01; // middle line of the batch
        AssertCorruptAt(_dir.File("batch.log"), damaged, 3, lines[2].Offset);
    }
}
