using System.Diagnostics;
using Xunit;

namespace MiniStore.Cli.Tests;

/// <summary>Each command run as a real process (the built tool, as `dotnet run` or the installed tool would run it): output, exit codes.</summary>
public sealed class ProcessTests : IAsyncLifetime
{
    private readonly PluginStore _store = new();
    private string Dir => _store.Directory;

    public Task InitializeAsync() => _store.WriteSampleAsync();

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Read_commands_print_to_stdout_and_exit_0()
    {
        var ls = await Cli.RunProcessAsync("ls", Dir);
        Assert.Equal(ExitCodes.Ok, ls.ExitCode);
        Assert.Contains(ls.Lines, l => l.StartsWith("sensor-1 ") && l.EndsWith(" ok"));

        var cat = await Cli.RunProcessAsync("cat", Dir, "sensor-2", "--json");
        Assert.Equal(3, cat.Lines.Length);
        Assert.Contains("\"seq\":3", cat.Lines[2]);

        var tail = await Cli.RunProcessAsync("tail", Dir, "sensor-1", "-n", "1");
        Assert.StartsWith("6  ", tail.Lines.Single());

        var stats = await Cli.RunProcessAsync("stats", Dir);
        Assert.Contains("events          9", stats.Lines);

        var help = await Cli.RunProcessAsync("verify", "--help");
        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        Assert.Contains("ministore verify <DIR> [options]", help.Output);
    }

    [Fact]
    public async Task Verify_and_repair_exit_codes_tell_a_script_what_it_found()
    {
        Assert.Equal(ExitCodes.Ok, (await Cli.RunProcessAsync("verify", Dir)).ExitCode);

        Damage.AppendTornLine(_store.EventLog("sensor-2"));
        Assert.Equal(ExitCodes.TornTail, (await Cli.RunProcessAsync("verify", Dir)).ExitCode);
        Assert.Equal(ExitCodes.TornTail, (await Cli.RunProcessAsync("repair", Dir, "--dry-run")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await Cli.RunProcessAsync("repair", Dir)).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await Cli.RunProcessAsync("verify", Dir)).ExitCode);

        Damage.FlipByteInLine(_store.EventLog("sensor-1"), 1);
        var damaged = await Cli.RunProcessAsync("verify", Dir);
        Assert.Equal(ExitCodes.Damaged, damaged.ExitCode);
        Assert.Contains(damaged.Lines, l => l.StartsWith(_store.EventLog("sensor-1") + ":1: DAMAGED"));
        Assert.Equal(ExitCodes.Damaged, (await Cli.RunProcessAsync("repair", Dir)).ExitCode);

        Assert.Equal(ExitCodes.NotFound, (await Cli.RunProcessAsync("ls", Path.Combine(Dir, "nothing-here"))).ExitCode);
        Assert.Equal(ExitCodes.UsageError, (await Cli.RunProcessAsync("cat", Dir)).ExitCode);
        var emptyId = (await Cli.RunProcessAsync("cat", Dir, "")).WithoutStackTrace();
        Assert.Equal(ExitCodes.NotFound, emptyId.ExitCode);
        Assert.StartsWith("ministore cat: the persistence id is empty", emptyId.Error);
    }

    [Fact]
    public async Task Tail_follow_as_a_process_prints_new_events_until_killed()
    {
        var info = Cli.ProcessStart("tail", "-f", Dir, "sensor-2", "-n", "1");
        using var process = Process.Start(info)!;
        var lines = new List<string>();
        var printedLast = new TaskCompletionSource();
        var gotNew = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines)
            {
                lines.Add(e.Data);
                if (lines.Count == 1) printedLast.TrySetResult();
                if (lines.Count == 3) gotNew.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        try
        {
            // The last stored event printed means the tool has read to the end of the log: what comes now is new.
            await printedLast.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using (var system = _store.StartSystem())
            {
                await PluginStore.PersistAsync(system, "sensor-2", "off", "on");
                await system.Terminate();
            }
            await gotNew.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        Assert.Equal(["3", "4", "5"], lines.Select(l => l.Split("  ")[0]));
    }
}
