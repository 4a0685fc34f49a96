using Akka.Actor;
using Xunit;

namespace MiniStore.Cli.Tests;

/// <summary>verify and repair, in-process, on plugin-written stores damaged the ways a crash or a bad disk damages them.</summary>
public sealed class VerifyRepairTests : IAsyncLifetime
{
    private readonly PluginStore _store = new();
    private string Dir => _store.Directory;
    private string Sensor1 => _store.EventLog("sensor-1");

    public Task InitializeAsync() => _store.WriteSampleAsync();

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Verify_of_an_intact_store_exits_0()
    {
        var result = await Cli.RunAsync("verify", Dir);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal("2 persistence ids, 10 intact records, 1 snapshots checked: clean", result.Lines.Single()); // 9 events + 1 deletion mark
    }

    [Fact]
    public async Task Verify_reports_a_torn_tail_with_file_line_and_byte_offset_as_cut_by_repair_and_exits_3()
    {
        long intact = new FileInfo(Sensor1).Length;
        var torn = Damage.AppendTornLine(Sensor1);

        var result = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.TornTail, result.ExitCode);
        Assert.StartsWith($"{Sensor1}:7: torn tail: last line has no line break", result.Lines[0]);
        Assert.EndsWith($"{torn.Length} bytes from byte offset {intact}: cut by repair (`ministore repair` keeps them in a .broken copy beside the log)", result.Lines[0]);
        Assert.DoesNotContain("never acknowledged", result.Output); // verify cannot know that of every torn tail: it says what repair does
        Assert.EndsWith("0 damaged, 1 torn tails", result.Lines[^1]);
    }

    [Fact]
    public async Task Verify_reports_every_damaged_line_not_only_the_first_and_exits_4()
    {
        Damage.FlipByteInLine(Sensor1, 2);
        Damage.FlipByteInLine(Sensor1, 4);

        var result = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith($"{Sensor1}:2: DAMAGED: checksum mismatch"));
        Assert.Contains(result.Lines, l => l.StartsWith($"{Sensor1}:4: DAMAGED: checksum mismatch"));
        Assert.Contains("8 intact records", result.Lines[^1]); // 10 minus the two damaged lines
    }

    [Fact]
    public async Task Verify_reports_sequence_numbers_out_of_order()
    {
        // A valid, checksummed line whose record repeats sequence number 1 after 6: intact bytes, wrong history.
        LogFiles.Append(Sensor1, LogFiles.Records(Sensor1)[0]);

        var result = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith($"{Sensor1}:7: DAMAGED: sequence number 1 of persistence id 'sensor-1' does not follow 6"));
    }

    [Fact]
    public async Task Verify_reports_a_record_of_another_persistence_id()
    {
        LogFiles.Append(Sensor1, LogFiles.Records(_store.EventLog("sensor-2"))[^1]);

        var result = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, result.ExitCode);
        Assert.Contains(result.Lines, l => l == $"{Sensor1}:7: DAMAGED: record belongs to persistence id 'sensor-2', expected 'sensor-1'");
    }

    [Fact]
    public async Task Repair_dry_run_prints_the_torn_bytes_and_changes_nothing()
    {
        var torn = Damage.AppendTornLine(Sensor1);
        var before = await File.ReadAllBytesAsync(Sensor1);

        var result = await Cli.RunAsync("repair", Dir, "--dry-run");

        Assert.Equal(ExitCodes.TornTail, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith($"{Sensor1}:7: torn tail"));
        Assert.Contains(result.Lines, l => l.Contains($"removes {torn.Length} bytes") && l.Contains("{\"crc\":\"0badf00d\""));
        Assert.Equal(before, await File.ReadAllBytesAsync(Sensor1));
        Assert.Empty(Directory.GetFiles(_store.JournalDirectory, "*.broken"));
    }

    [Fact]
    public async Task Repair_removes_only_the_torn_tail_keeps_every_record_verify_called_good_and_saves_the_bytes()
    {
        var intact = await File.ReadAllBytesAsync(Sensor1);
        var torn = Damage.AppendTornLine(Sensor1);
        var verified = await Cli.RunAsync("verify", Dir);
        Assert.Contains("10 intact records", verified.Lines[^1]);

        var result = await Cli.RunAsync("repair", Dir);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(intact, await File.ReadAllBytesAsync(Sensor1)); // every good record, byte for byte, and nothing else
        var broken = Assert.Single(Directory.GetFiles(_store.JournalDirectory, "*.broken"));
        Assert.Equal(torn, await File.ReadAllBytesAsync(broken));
        Assert.Contains(result.Lines, l => l.Contains($"saved in {broken}"));

        var after = await Cli.RunAsync("verify", Dir);
        Assert.Equal(ExitCodes.Ok, after.ExitCode);
        Assert.Contains("10 intact records", after.Lines[^1]);

        // The plugin recovers all six events and goes on writing after them.
        using var system = _store.StartSystem();
        await PluginStore.PersistAsync(system, "sensor-1", "t=19.8");
        await system.Terminate();
        Assert.Contains("7  ", (await Cli.RunAsync("tail", Dir, "sensor-1", "-n", "1")).Lines.Single()[..3]);
    }

    [Fact]
    public async Task Repair_leaves_a_log_with_damage_that_is_not_a_torn_tail_untouched()
    {
        Damage.FlipByteInLine(Sensor1, 3);
        Damage.AppendTornLine(Sensor1);
        var before = await File.ReadAllBytesAsync(Sensor1);

        var result = await Cli.RunAsync("repair", Dir);

        Assert.Equal(ExitCodes.Damaged, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith($"{Sensor1}: not repaired"));
        Assert.Contains(result.Lines, l => l.StartsWith($"{Sensor1}:3: DAMAGED"));
        Assert.Equal(before, await File.ReadAllBytesAsync(Sensor1));
        Assert.Empty(Directory.GetFiles(_store.JournalDirectory, "*.broken"));
    }

    [Fact]
    public async Task Repair_refuses_a_store_a_running_journal_owns_and_changes_nothing()
    {
        using var system = _store.StartSystem();
        await PluginStore.PersistAsync(system, "sensor-2", "off"); // the journal is running and holds journal.lock
        var torn = Damage.AppendTornLine(Sensor1);
        var before = await File.ReadAllBytesAsync(Sensor1);

        var refused = await Cli.RunAsync("repair", Dir);

        Assert.Equal(ExitCodes.StoreInUse, refused.ExitCode);
        Assert.Contains(_store.JournalDirectory, refused.Error);
        Assert.Contains($"held by process {Environment.ProcessId} (this process)", refused.Error);
        Assert.Equal(before, await File.ReadAllBytesAsync(Sensor1));
        Assert.Empty(Directory.GetFiles(_store.JournalDirectory, "*.broken"));

        await system.Terminate(); // the owner is gone: now the same repair runs
        var repaired = await Cli.RunAsync("repair", Dir);
        Assert.Equal(ExitCodes.Ok, repaired.ExitCode);
        Assert.Equal(torn, await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(_store.JournalDirectory, "*.broken"))));
    }

    [Fact]
    public async Task Tail_follow_prints_events_as_the_plugin_appends_them()
    {
        var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output); // its methods lock the wrapper itself
        string Printed() { lock (synchronized) return output.ToString(); }
        using var stop = new CancellationTokenSource();
        var tail = MiniStoreCli.RunAsync(["tail", "-f", Dir, "sensor-2", "-n", "1"], synchronized, TextWriter.Null, stop.Token);

        // The last stored event printed means the tool has read to the end of the log: what comes now is new.
        for (var start = DateTime.UtcNow.AddSeconds(30); !Printed().Contains('\n') && DateTime.UtcNow < start;)
            await Task.Delay(20);
        using var system = _store.StartSystem();
        await PluginStore.PersistAsync(system, "sensor-2", "off", "on");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Printed().Contains("5  ") && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        stop.Cancel();
        Assert.Equal(ExitCodes.Ok, await tail);
        await system.Terminate();

        var lines = Printed().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["3", "4", "5"], lines.Select(l => l.Split("  ")[0]));
        Assert.EndsWith("\"off\"", lines[1]);
    }

    [Fact]
    public async Task Tail_follow_goes_on_after_the_log_is_compacted_under_it()
    {
        string log = _store.EventLog("sensor-2");
        var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        string Printed() { lock (synchronized) return output.ToString(); }
        using var stop = new CancellationTokenSource();
        var tail = MiniStoreCli.RunAsync(["tail", "-f", Dir, "sensor-2", "-n", "1"], synchronized, TextWriter.Null, stop.Token);
        for (var start = DateTime.UtcNow.AddSeconds(30); !Printed().Contains('\n') && DateTime.UtcNow < start;)
            await Task.Delay(20);

        // As the journal's retention does: the log is replaced by its suffix (event 3 only), shorter than what tail has read.
        using (var file = MiniStoreLog.Open(log))
            LogCompactor.DropPrefix(file, file.Read().Skip(2).First().Offset);
        using var system = _store.StartSystem();
        await PluginStore.PersistAsync(system, "sensor-2", "off", "on");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Printed().Contains("5  ") && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        stop.Cancel();
        Assert.Equal(ExitCodes.Ok, await tail);
        await system.Terminate();

        Assert.Equal(["3", "4", "5"], Printed().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split("  ")[0]));
    }
}
