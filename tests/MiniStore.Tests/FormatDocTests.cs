using System.Text.Json;

namespace MiniStore.Tests;

/// <summary>Keeps docs/FORMAT.md true: every example line in it must be a line the engine reads back as intact.</summary>
public class FormatDocTests
{
    [Fact]
    public void Every_example_line_in_FORMAT_md_is_read_as_intact()
    {
        var blocks = ExampleBlocks();
        Assert.True(blocks.Count >= 2, "FORMAT.md should show example log lines");
        using var dir = new TempDir();
        foreach (var block in blocks)
        {
            string path = dir.File(Guid.NewGuid().ToString("N") + ".jsonl");
            File.WriteAllText(path, string.Join("\n", block) + "\n");
            using var log = MiniStoreLog.Open(path, readOnly: true);
            Assert.Null(log.TornTail);
            Assert.Equal(block.Count, log.ReadJson().Count);
            foreach (var line in block)
                JsonDocument.Parse(line).Dispose(); // and each line is plain JSON for jq
        }
    }

    /// <summary>Indented blocks of consecutive lines starting with {"crc":" in docs/FORMAT.md.</summary>
    private static List<List<string>> ExampleBlocks()
    {
        var blocks = new List<List<string>>();
        List<string>? current = null;
        foreach (var raw in File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "FORMAT.md")))
        {
            string line = raw.Trim();
            if (raw.StartsWith("    ") && line.StartsWith("{\"crc\":\""))
                (current ??= new List<string>()).Add(line);
            else if (current is not null)
            {
                blocks.Add(current);
                current = null;
            }
        }
        if (current is not null) blocks.Add(current);
        return blocks;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MiniStore.sln")))
                return dir.FullName;
        throw new InvalidOperationException("MiniStore.sln not found above " + AppContext.BaseDirectory);
    }
}
