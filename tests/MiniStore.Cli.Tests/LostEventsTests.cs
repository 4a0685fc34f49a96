using Xunit;

namespace MiniStore.Cli.Tests;

/// <summary>
/// verify and repair on logs that hold fewer events than the store recorded as stored: they apply the journal's rule
/// (LostEventsException.ThrowIfLost) on the journal's evidence (the deletion mark, the newest snapshot, the event index),
/// report the lost events, and never cut what may be left of them as if it were a torn tail.
/// </summary>
public sealed class LostEventsTests : IAsyncLifetime
{
    private readonly PluginStore _store = new();
    private string Dir => _store.Directory;
    private string Sensor1 => _store.EventLog("sensor-1");
    private string Sensor2 => _store.EventLog("sensor-2");

    public Task InitializeAsync() => _store.WriteSampleAsync();

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_zero_filled_log_is_lost_events_by_the_index_and_repair_refuses_to_cut_it()
    {
        Damage.ZeroFill(Sensor2);
        var before = await File.ReadAllBytesAsync(Sensor2);

        var verify = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, verify.ExitCode);
        Assert.Contains(verify.Lines, l => l.StartsWith($"{Sensor2}: LOST EVENTS: Persistence id 'sensor-2': its log '{Sensor2}' holds events only up to sequence number 0, " +
                                                        "but the event index records events up to 3 as stored."));
        Assert.DoesNotContain(verify.Lines, l => l.Contains("cut by repair"));
        Assert.DoesNotContain("never acknowledged", verify.Output);
        Assert.EndsWith("0 damaged, 0 torn tails, 1 logs with lost events", verify.Lines[^1]);

        var repair = await Cli.RunAsync("repair", Dir);

        Assert.Equal(ExitCodes.Damaged, repair.ExitCode);
        Assert.Contains(repair.Lines, l => l.StartsWith($"{Sensor2}: not repaired: events of persistence id 'sensor-2' that the store recorded as stored are missing from it"));
        Assert.Equal(before, await File.ReadAllBytesAsync(Sensor2));
        Assert.Empty(_store.BrokenCopies);
        Assert.Contains("LOST EVENTS", (await Cli.RunAsync("ls", Dir)).Lines.Single(l => l.StartsWith("sensor-2 ")));
    }

    [Fact]
    public async Task A_torn_tail_left_where_acknowledged_events_were_is_not_cut_by_repair()
    {
        // Events 1 and 2 whole, and the first 30 bytes of event 3, which the index lists as stored.
        Damage.KeepLines(Sensor2, 2, extraBytes: 30);
        var before = await File.ReadAllBytesAsync(Sensor2);

        var verify = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, verify.ExitCode);
        Assert.Contains(verify.Lines, l => l.StartsWith($"{Sensor2}: LOST EVENTS: Persistence id 'sensor-2': its log '{Sensor2}' holds events only up to sequence number 2, but the event index records events up to 3"));
        Assert.Contains(verify.Lines, l => l.StartsWith($"{Sensor2}:3: note: last line has no line break (30 bytes)") && l.Contains("are not cut"));
        Assert.Equal(ExitCodes.Damaged, (await Cli.RunAsync("repair", Dir)).ExitCode);
        Assert.Equal(before, await File.ReadAllBytesAsync(Sensor2));
        Assert.Empty(_store.BrokenCopies);
    }

    [Fact]
    public async Task A_log_cut_at_a_line_boundary_is_lost_events_by_the_deletion_mark()
    {
        Damage.KeepLines(Sensor1, 4);

        var verify = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, verify.ExitCode);
        Assert.Contains(verify.Lines, l => l.StartsWith($"{Sensor1}: LOST EVENTS: Persistence id 'sensor-1': its log '{Sensor1}' holds events only up to sequence number 4, " +
                                                        $"but its deletion log '{_store.DeletionLog("sensor-1")}' records events up to 6 as stored."));
    }

    [Fact]
    public async Task A_zero_filled_log_without_index_or_deletion_log_is_lost_events_by_the_snapshot()
    {
        Damage.ZeroFill(Sensor1);
        File.Delete(_store.DeletionLog("sensor-1"));
        File.Delete(_store.EventIndex);

        var verify = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, verify.ExitCode);
        // No log record says the id any more: the snapshot does.
        Assert.Contains(verify.Lines, l => l.StartsWith($"{Sensor1}: LOST EVENTS: Persistence id 'sensor-1': its log '{Sensor1}' holds events only up to sequence number 0, " +
                                                        "but the snapshot it recovers from (sequence number 6) records events up to 6 as stored."));
    }

    [Fact]
    public async Task An_event_log_that_is_gone_while_its_deletion_log_records_events_is_lost_events()
    {
        File.Delete(Sensor1);

        var verify = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, verify.ExitCode);
        Assert.Contains(verify.Lines, l => l.StartsWith($"{Sensor1}: LOST EVENTS: Persistence id 'sensor-1': its log '{Sensor1}' holds events only up to sequence number 0"));
        Assert.Equal(ExitCodes.Damaged, (await Cli.RunAsync("repair", Dir)).ExitCode);
        Assert.False(File.Exists(Sensor1));
    }

    [Fact]
    public async Task A_torn_tail_after_every_acknowledged_event_is_still_cut_by_repair()
    {
        var torn = Damage.AppendTornLine(Sensor2);

        var verify = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.TornTail, verify.ExitCode);
        long offset = new FileInfo(Sensor2).Length - torn.Length;
        Assert.Contains(verify.Lines, l => l.StartsWith($"{Sensor2}:4: torn tail: last line has no line break") && l.Contains($"{torn.Length} bytes from byte offset {offset}: cut by repair"));
        Assert.Equal(ExitCodes.Ok, (await Cli.RunAsync("repair", Dir)).ExitCode);
        Assert.Equal(torn, await File.ReadAllBytesAsync(Assert.Single(_store.BrokenCopies)));
    }
}
