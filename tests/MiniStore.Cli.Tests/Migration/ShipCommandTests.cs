using Xunit;

namespace MiniStore.Cli.Tests.Migration;

/// <summary>
/// <c>ministore ship</c>: the shipper beside the application (the shipping itself is tested in
/// Akka.Persistence.MiniStore.Shipping.Tests). Against a second MiniStore store (always) and Akka.Persistence.Sql on a
/// real PostgreSQL server (skipped, with the reason, when MINISTORE_TEST_POSTGRES is not set).
/// </summary>
public sealed class ShipCommandTests : IDisposable
{
    private readonly PluginStore _store = new();
    private readonly List<IDisposable> _cleanUp = new();

    private OtherJournal Other(string kind)
    {
        OtherJournal other;
        if (kind == "sql")
        {
            var database = PostgresDatabase.CreateOrSkip();
            _cleanUp.Add(database);
            other = OtherJournal.Sql(database);
        }
        else
            other = OtherJournal.MiniStore(_store.Directory + "-other");
        _cleanUp.Add(other);
        return other;
    }

    [SkippableTheory]
    [InlineData("ministore")]
    [InlineData("sql")]
    public async Task Ship_copies_what_is_stored_once_records_its_position_and_on_a_later_run_ships_only_what_came_since(string kind)
    {
        var other = Other(kind);
        using (var system = _store.StartSystem())
        {
            await Ledger.AppendAsync(system, "ledger-1", Ledger.Values(1, 20));
            await Ledger.AppendAsync(system, "ledger-2", Ledger.Values(1, 5));
            await system.Terminate();
        }

        var first = await Cli.RunAsync("ship", _store.Directory, "--to", other.HoconFile);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.Contains(first.Lines, l => l.StartsWith("shipped 25 events (", StringComparison.Ordinal) && l.Contains(" of 2 persistence ids"));
        string positionLog = Path.Combine(_store.Directory, "shipping", kind == "sql" ? "sql.jsonl" : "other.jsonl");
        Assert.True(File.Exists(positionLog), $"no position log at {positionLog}");

        var again = await Cli.RunAsync("ship", _store.Directory, "--to", other.HoconFile);
        Assert.True(again.ExitCode == 0, again.Output + again.Error);
        Assert.Contains(again.Lines, l => l.StartsWith("shipped 0 events (0 bytes)", StringComparison.Ordinal));

        using (var system = _store.StartSystem())
        {
            await Ledger.AppendAsync(system, "ledger-2", Ledger.Values(6, 3));
            await system.Terminate();
        }
        var later = await Cli.RunAsync("ship", _store.Directory, "--to", other.HoconFile);
        Assert.True(later.ExitCode == 0, later.Output + later.Error);
        Assert.Contains(later.Lines, l => l.StartsWith("shipped 3 events (", StringComparison.Ordinal));

        using var check = other.StartSystem();
        Assert.Equal(Ledger.Values(1, 20), await Ledger.RecoverAsync(check, "ledger-1"));
        Assert.Equal(Ledger.Values(1, 8), await Ledger.RecoverAsync(check, "ledger-2"));
        await check.Terminate();
    }

    [Fact]
    public async Task Ship_names_a_missing_file_a_file_without_a_journal_and_the_stores_own_journal()
    {
        using (var system = _store.StartSystem())
        {
            await Ledger.AppendAsync(system, "ledger-1", Ledger.Values(1, 2));
            await system.Terminate();
        }

        var missing = await Cli.RunAsync("ship", _store.Directory, "--to", "/nonexistent/target.conf");
        Assert.Equal(ExitCodes.UsageError, missing.ExitCode);
        Assert.Contains("No target configuration file '/nonexistent/target.conf'", missing.Error);

        string empty = Path.Combine(_store.Directory, "empty.conf");
        File.WriteAllText(empty, "akka.loglevel = INFO\n");
        var noPlugin = await Cli.RunAsync("ship", _store.Directory, "--to", empty);
        Assert.Equal(ExitCodes.UsageError, noPlugin.ExitCode);
        Assert.Contains("empty.conf: set akka.persistence.journal.plugin", noPlugin.Error);

        string own = Path.Combine(_store.Directory, "own.conf");
        File.WriteAllText(own, "akka.persistence.journal.plugin = ministore\n");
        var itself = await Cli.RunAsync("ship", _store.Directory, "--to", own);
        Assert.Equal(ExitCodes.UsageError, itself.ExitCode);
        Assert.Contains("the store's own journal", itself.Error);
        Assert.DoesNotContain("   at ", itself.Error + itself.Output); // a specific error, no stack trace
        Assert.False(File.Exists(Path.Combine(_store.Directory, "shipping", "ministore.jsonl")));
    }

    public void Dispose()
    {
        foreach (var item in _cleanUp)
            item.Dispose();
        _store.Dispose();
    }
}
