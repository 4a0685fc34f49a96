using Xunit;

namespace MiniStore.Tests;

public sealed class CompactorTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_cut_inside_a_line_is_refused_and_changes_nothing()
    {
        string path = _dir.File("log.jsonl");
        await using (var log = await MiniStoreLog.OpenAsync(path))
            for (int i = 1; i <= 3; i++)
                await log.AppendJsonAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"));
        byte[] before = await File.ReadAllBytesAsync(path);
        int secondLine = Array.IndexOf(before, (byte)'\n') + 1;

        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => LogCompactor.DropPrefixAsync(path, secondLine + 5));
        Assert.Contains("not at the start of a line", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(path + LogCompactor.TemporaryExtension));

        Assert.Equal(secondLine, await LogCompactor.DropPrefixAsync(path, secondLine));
        Assert.Equal(["{\"n\":2}", "{\"n\":3}"], await LogTestHelpers.ReadJsonAsync(path));
    }
}
