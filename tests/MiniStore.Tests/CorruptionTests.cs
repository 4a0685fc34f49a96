namespace MiniStore.Tests;

public sealed class CorruptionTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private async Task<byte[]> WriteFiveAsync()
    {
        string path = _dir.File("template.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
            for (int i = 1; i <= 5; i++)
                await log.AppendJsonAsync($"{{\"line\":{i},\"text\":\"hello\"}}");
        byte[] bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>
    /// Damage with intact data after it. Opening reads only the end of the log, so it finds the damage only when it is
    /// in the last complete line or just before a torn one (<paramref name="foundByOpen"/>); otherwise the log opens
    /// and every read that reaches the damage fails, naming the file, the line and the offset, also one that started
    /// at an offset without knowing its line number (as after a seek).
    /// </summary>
    private async Task AssertCorruptAtAsync(string path, byte[] damaged, long expectedLine, long expectedOffset, bool foundByOpen = false)
    {
        await File.WriteAllBytesAsync(path, damaged);

        if (foundByOpen)
        {
            var open = await Assert.ThrowsAsync<CorruptLogException>(() => MiniStoreLog.OpenAsync(path));
            AssertNames(open, path, expectedLine, expectedOffset);
        }
        else
        {
            await using var log = await MiniStoreLog.OpenAsync(path);
            Assert.Null(log.Repair);
        }

        var read = await Assert.ThrowsAsync<CorruptLogException>(() => LogTestHelpers.ReadJsonAsync(path));
        AssertNames(read, path, expectedLine, expectedOffset);

        var uncounted = await Assert.ThrowsAsync<CorruptLogException>(async () =>
        {
            await foreach (var _ in MiniStoreLog.ReadAsync(path, 0, fromLineNumber: 0)) { }
        });
        AssertNames(uncounted, path, expectedLine, expectedOffset);

        var replay = await Assert.ThrowsAsync<CorruptLogException>(async () =>
        {
            await foreach (var _ in MiniStoreLog.ReplayAsync<System.Text.Json.JsonElement>(path)) { }
        });
        AssertNames(replay, path, expectedLine, expectedOffset);

        // Nothing was repaired, truncated or copied.
        Assert.Equal(damaged, await File.ReadAllBytesAsync(path));
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
    public async Task Flipped_byte_in_line_2_of_5_throws_naming_file_and_line_and_leaves_the_file_alone()
    {
        byte[] bytes = await WriteFiveAsync();
        var lines = LogTestHelpers.Lines(bytes);
        var (start, length) = lines[1];

        byte[] damaged = (byte[])bytes.Clone();
        damaged[start + length / 2] ^= 0x01;
        await AssertCorruptAtAsync(_dir.File("middle.log"), damaged, 2, start);
    }

    [Fact]
    public async Task Any_flipped_byte_in_line_2_of_5_is_corruption_at_line_2()
    {
        byte[] bytes = await WriteFiveAsync();
        var (start, length) = LogTestHelpers.Lines(bytes)[1];

        // Every byte including the '\n' (which merges lines 2 and 3 into one damaged line).
        for (int i = start; i < start + length; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x01;
            await AssertCorruptAtAsync(_dir.File($"flip-{i}.log"), damaged, 2, start);
        }
    }

    [Fact]
    public async Task Damaged_second_to_last_line_is_corruption_not_a_torn_tail_found_by_the_read()
    {
        byte[] bytes = await WriteFiveAsync();
        var (start, _) = LogTestHelpers.Lines(bytes)[3];
        byte[] damaged = (byte[])bytes.Clone();
        damaged[start + 25] ^= 0x20;
        await AssertCorruptAtAsync(_dir.File("fourth.log"), damaged, 4, start);
    }

    [Fact]
    public async Task Damaged_line_followed_by_a_torn_line_is_still_corruption()
    {
        byte[] bytes = await WriteFiveAsync();
        var lines = LogTestHelpers.Lines(bytes);
        byte[] damaged = bytes[..(lines[4].Offset + 5)]; // line 5 cut short
        damaged[lines[3].Offset + 25] ^= 0x20;        // line 4 damaged
        await AssertCorruptAtAsync(_dir.File("two.log"), damaged, 4, lines[3].Offset, foundByOpen: true);
    }

    [Fact]
    public async Task Damage_inside_a_batch_followed_by_intact_data_is_corruption()
    {
        string template = _dir.File("batch-template.log");
        await using (var log = await MiniStoreLog.OpenAsync(template))
        {
            await log.AppendJsonAsync("{\"a\":0}");
            await log.AppendJsonBatchAsync("{\"b\":1}", "{\"b\":2}", "{\"b\":3}");
            await log.AppendJsonAsync("{\"c\":4}");
        }
        byte[] bytes = await File.ReadAllBytesAsync(template);
        var lines = LogTestHelpers.Lines(bytes);
        byte[] damaged = (byte[])bytes.Clone();
        damaged[lines[2].Offset + 30] ^= 0x01; // middle line of the batch
        await AssertCorruptAtAsync(_dir.File("batch.log"), damaged, 3, lines[2].Offset);
    }
}
