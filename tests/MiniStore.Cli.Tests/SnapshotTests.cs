using Xunit;

namespace MiniStore.Cli.Tests;

/// <summary>
/// Damaged snapshots. A snapshot is one record written to a temporary file, fsync'd and renamed, so an empty or torn
/// one is damage no crash makes: verify reports it as damage naming the file, ls marks the id, and repair agrees with
/// verify: it leaves snapshots alone and says what the user should do, which depends on whether events it holds were deleted.
/// </summary>
public sealed class SnapshotTests : IAsyncLifetime
{
    private readonly PluginStore _store = new();
    private string Dir => _store.Directory;
    private string Snapshot => Assert.Single(_store.Snapshots("sensor-1"));

    public Task InitializeAsync() => _store.WriteSampleAsync();

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_empty_snapshot_is_damage_in_verify_and_ls_and_repair_leaves_it_as_the_only_copy_of_deleted_events()
    {
        File.WriteAllBytes(Snapshot, []);

        var verify = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, verify.ExitCode);
        var line = Assert.Single(verify.Lines, l => l.StartsWith($"{Snapshot}:1: DAMAGED: snapshot file is empty (0 bytes)."));
        Assert.Contains("no crash leaves it like this", line);
        // Events 1..2 were deleted after the snapshot was taken: it is their only copy.
        Assert.Contains("Events up to sequence number 2 were deleted from the journal and no intact snapshot holds them", line);
        Assert.Contains("Do not delete the file: restore it from a backup", line);
        Assert.EndsWith("1 damaged, 0 torn tails", verify.Lines[^1]);
        Assert.Equal("DAMAGED (run verify)", Columns((await Cli.RunAsync("ls", Dir)).Lines.Single(l => l.StartsWith("sensor-1 ")))[^1]);

        var repair = await Cli.RunAsync("repair", Dir);

        Assert.Equal(ExitCodes.Damaged, repair.ExitCode);
        Assert.Contains(repair.Lines, l => l.StartsWith($"{_store.EventLog("sensor-1")}: not repaired: persistence id 'sensor-1' holds damage"));
        Assert.Contains(repair.Lines, l => l.Contains($"{Snapshot}:1: DAMAGED") && l.Contains("`ministore repair` does not change snapshots"));
        Assert.True(File.Exists(Snapshot));
        Assert.Empty(_store.BrokenCopies);
    }

    [Fact]
    public async Task A_torn_snapshot_that_recovery_can_do_without_is_damage_that_verify_and_repair_both_leave_to_the_user()
    {
        File.Delete(_store.DeletionLog("sensor-1")); // no event deleted: the journal holds every event the snapshot holds
        var bytes = File.ReadAllBytes(Snapshot);
        File.WriteAllBytes(Snapshot, bytes[..(bytes.Length / 2)]);

        var verify = await Cli.RunAsync("verify", Dir);

        Assert.Equal(ExitCodes.Damaged, verify.ExitCode);
        var line = Assert.Single(verify.Lines, l => l.StartsWith($"{Snapshot}:1: DAMAGED: snapshot file ends torn at byte offset 0"));
        Assert.Contains("Recovery skips it and starts from the first event, replaying the events after it, which the journal still holds (none was deleted)", line);
        Assert.Contains("Move the file out of the store (keep a copy) to clear this report", line);
        Assert.DoesNotContain(verify.Lines, l => l.Contains(": torn tail:") || l.Contains("cut by repair"));

        var repair = await Cli.RunAsync("repair", Dir);

        Assert.Equal(ExitCodes.Damaged, repair.ExitCode);
        Assert.Equal(bytes[..(bytes.Length / 2)], File.ReadAllBytes(Snapshot));
        Assert.Empty(_store.BrokenCopies);
    }

    private static string[] Columns(string line) => line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
