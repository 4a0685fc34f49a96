using System.Text.Json;
using Xunit;

namespace MiniStore.Cli.Tests;

/// <summary>ls, cat, tail (without -f) and stats, in-process, on a store the plugin wrote.</summary>
public sealed class ReadCommandTests(SampleStoreFixture fixture) : IClassFixture<SampleStoreFixture>
{
    private string Dir => fixture.Store.Directory;

    [Fact]
    public async Task Ls_lists_each_persistence_id_with_counts_marks_and_snapshots()
    {
        var result = await Cli.RunAsync("ls", Dir);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.StartsWith("PERSISTENCE ID", result.Lines[0]);
        var sensor1 = Columns(result.Lines.Single(l => l.StartsWith("sensor-1")));
        var sensor2 = Columns(result.Lines.Single(l => l.StartsWith("sensor-2")));
        Assert.Equal(["6", "6", "2"], sensor1[1..4]);  // events, highest seq, deleted-to
        Assert.Equal("1", sensor1[^2]);                // one snapshot
        Assert.Equal("ok", sensor1[^1]);
        Assert.Equal(["3", "3", "0"], sensor2[1..4]);
        Assert.Equal("0", sensor2[^2]);
    }

    [Fact]
    public async Task Ls_accepts_the_journal_directory_itself()
    {
        var result = await Cli.RunAsync("ls", fixture.Store.JournalDirectory);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal("1", Columns(result.Lines.Single(l => l.StartsWith("sensor-1")))[^2]); // snapshots found beside it
    }

    [Fact]
    public async Task Cat_prints_events_in_order_within_from_and_to()
    {
        var result = await Cli.RunAsync("cat", Dir, "sensor-1", "--from", "2", "--to", "4");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(3, result.Lines.Length);
        Assert.StartsWith("2  ", result.Lines[0]);
        Assert.EndsWith("System.String  \"t=20.4\"", result.Lines[0]);
        Assert.EndsWith("\"t=21.0\"", result.Lines[2]);
    }

    [Fact]
    public async Task Cat_json_prints_the_stored_records_one_per_line()
    {
        var result = await Cli.RunAsync("cat", Dir, "sensor-2", "--json");

        var records = result.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([1L, 2L, 3L], records.Select(r => r.GetProperty("seq").GetInt64()));
        Assert.All(records, r => Assert.Equal("sensor-2", r.GetProperty("pid").GetString()));
        Assert.Equal(["on", "off", "on"], records.Select(r => r.GetProperty("payload").GetString()));
    }

    [Fact]
    public async Task Cat_of_an_unknown_persistence_id_exits_with_not_found()
    {
        var result = await Cli.RunAsync("cat", Dir, "nobody");
        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("'nobody'", result.Error);
    }

    [Fact]
    public async Task Tail_prints_the_last_n_events()
    {
        var result = await Cli.RunAsync("tail", Dir, "sensor-1", "-n", "2");
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(2, result.Lines.Length);
        Assert.StartsWith("5  ", result.Lines[0]);
        Assert.StartsWith("6  ", result.Lines[1]);
    }

    [Fact]
    public async Task Stats_totals_events_sizes_and_snapshots()
    {
        var result = await Cli.RunAsync("stats", Dir);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains(result.Lines, l => l == "persistence ids 2");
        Assert.Contains(result.Lines, l => l == "events          9");
        long journalBytes = Directory.GetFiles(fixture.Store.JournalDirectory, "*.jsonl").Sum(f => new FileInfo(f).Length);
        Assert.Contains(result.Lines, l => l.StartsWith("journal size") && l.EndsWith($"({journalBytes} bytes)"));
        Assert.Contains(result.Lines, l => l.StartsWith("snapshots       1 "));
    }

    [Fact]
    public async Task Unknown_directory_exits_with_not_found_and_help_is_everywhere()
    {
        Assert.Equal(ExitCodes.NotFound, (await Cli.RunAsync("ls", Path.Combine(Dir, "missing"))).ExitCode);
        foreach (var command in new[] { "ls", "cat", "tail", "verify", "repair", "stats" })
        {
            var help = await Cli.RunAsync(command, "--help");
            Assert.Equal(ExitCodes.Ok, help.ExitCode);
            Assert.Contains("Usage:", help.Output);
        }
        Assert.NotEqual(ExitCodes.Ok, (await Cli.RunAsync("ls")).ExitCode); // DIR missing: a usage error
    }

    private static string[] Columns(string line) => line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
