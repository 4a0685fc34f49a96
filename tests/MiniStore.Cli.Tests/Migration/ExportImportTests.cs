using Xunit;
using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Streams;
using MiniStore.Cli.Migration;

namespace MiniStore.Cli.Tests.Migration;

/// <summary>
/// <c>ministore export</c> and <c>import</c> against a second MiniStore store (always) and Akka.Persistence.Sql on a real
/// PostgreSQL server (skipped, with the reason, when MINISTORE_TEST_POSTGRES is not set).
/// </summary>
public sealed class ExportImportTests : IDisposable
{
    private readonly PluginStore _store = new();
    private readonly List<IDisposable> _cleanUp = new();

    /// <summary>"ledger-1": v1..v20, snapshot at 20, events 1..10 deleted, then v21..v30; "ledger-2": v1..v15.</summary>
    private async Task<Dictionary<string, string[]>> WriteLedgersAsync()
    {
        using var system = _store.StartSystem();
        await Ledger.AppendAsync(system, "ledger-1", Ledger.Values(1, 20));
        await Ledger.SnapshotAndDeleteToAsync(system, "ledger-1", 10);
        await Ledger.AppendAsync(system, "ledger-1", Ledger.Values(21, 10));
        await Ledger.AppendAsync(system, "ledger-2", Ledger.Values(1, 15));
        var states = new Dictionary<string, string[]>
        {
            ["ledger-1"] = await Ledger.RecoverAsync(system, "ledger-1"),
            ["ledger-2"] = await Ledger.RecoverAsync(system, "ledger-2"),
        };
        await system.Terminate();
        Assert.Equal(Ledger.Values(1, 30), states["ledger-1"]);
        return states;
    }

    private async Task<Cli.Result> ExportAsync(OtherJournal other)
    {
        var result = await Cli.RunAsync("export", _store.Directory, "--to", other.HoconFile);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        return result;
    }

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
        {
            other = OtherJournal.MiniStore(Path.Combine(_store.Directory + "-other"));
        }
        _cleanUp.Add(other);
        return other;
    }

    [SkippableTheory]
    [InlineData("ministore")]
    [InlineData("sql")]
    public async Task After_export_a_persistent_actor_on_the_other_journal_recovers_the_state_it_had_on_ministore(string kind)
    {
        var states = await WriteLedgersAsync();
        var other = Other(kind);

        var result = await ExportAsync(other);

        Assert.Contains("ledger-1: 20 events read, 20 written (after 0 up to 30), snapshot at 20; check ok", result.Lines);
        Assert.Contains("ledger-2: 15 events read, 15 written (after 0 up to 15); check ok", result.Lines);
        using var system = other.StartSystem();
        foreach (var (pid, state) in states)
            Assert.Equal(state, await Ledger.RecoverAsync(system, pid));
        await system.Terminate();
        await AssertSameEventsAsync(other, _store.Directory, "ledger-1", "ledger-2");
    }

    [SkippableFact]
    public async Task After_export_events_by_tag_on_the_sql_side_returns_the_same_events_in_the_same_order()
    {
        await WriteLedgersAsync();
        var other = Other("sql");

        await ExportAsync(other);

        // Written order on MiniStore: ledger-1's live events 11..30, then ledger-2's 1..15.
        var written = Ledger.Values(11, 20).Select(v => ("ledger-1", v)).Concat(Ledger.Values(1, 15).Select(v => ("ledger-2", v))).ToList();
        using var system = other.StartSystem();
        var query = PersistenceQuery.Get(system).ReadJournalFor<ICurrentEventsByTagQuery>("akka.persistence.query.journal.sql");
        foreach (var tag in new[] { "even", "three" })
        {
            var envelopes = await query.CurrentEventsByTag(tag, Offset.NoOffset()).RunAggregate(new List<EventEnvelope>(), (list, e) => { list.Add(e); return list; }, system.Materializer());
            var expected = written.Where(w => Ledger.TagsOf(w.Item2).Contains(tag)).ToList();
            Assert.Equal(expected, envelopes.Select(e => (e.PersistenceId, (string)e.Event)).ToList());
            Assert.All(envelopes, e => Assert.Equal(Ledger.TagsOf((string)e.Event), e.Tags.Order()));
        }
        await system.Terminate();
    }

    [SkippableTheory]
    [InlineData("ministore")]
    [InlineData("sql")]
    public async Task Import_brings_the_events_their_tags_and_snapshots_back_into_a_new_store(string kind)
    {
        var states = await WriteLedgersAsync();
        var other = Other(kind);
        await ExportAsync(other);
        using var device = new PluginStore();

        // The read journal brings the tags; with --pid it lists nothing, without it every id it knows is imported.
        string[] ids = kind == "sql" ? [] : ["--pid", "ledger-1", "--pid", "ledger-2"];
        var result = await Cli.RunAsync(["import", device.Directory, "--from", other.HoconFile, "--read-journal", other.ReadJournalId, .. ids]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("ledger-1: 20 events read, 20 written (after 0 up to 30), snapshot at 20; check ok", result.Lines);
        using (var system = device.StartSystem())
        {
            foreach (var (pid, state) in states)
                Assert.Equal(state, await Ledger.RecoverAsync(system, pid));
            await system.Terminate();
        }
        await AssertSameEventsAsync(other, device.Directory, "ledger-1", "ledger-2");
        foreach (var pid in states.Keys)
        {
            var records = device.ReadEventRecords(pid);
            Assert.NotEmpty(records);
            Assert.All(records, r => Assert.Equal(Ledger.TagsOf(r.Payload), r.Tags.Order()));
        }
    }

    [Fact]
    public async Task Import_without_a_read_journal_stores_no_tags_and_with_an_unknown_one_says_which()
    {
        await WriteLedgersAsync();
        var other = Other("ministore");
        await ExportAsync(other);
        using var device = new PluginStore();

        var unknown = await Cli.RunAsync("import", device.Directory, "--from", other.HoconFile, "--pid", "ledger-2", "--read-journal", "akka.persistence.query.journal.nope");
        Assert.Equal(ExitCodes.UsageError, unknown.ExitCode);
        Assert.Contains("akka.persistence.query.journal.nope", unknown.Error);

        var result = await Cli.RunAsync("import", device.Directory, "--from", other.HoconFile, "--pid", "ledger-2");
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        var records = device.ReadEventRecords("ledger-2");
        Assert.Equal(15, records.Count);
        Assert.All(records, r => Assert.Empty(r.Tags));
    }

    [Fact]
    public async Task Import_stops_at_once_naming_the_id_when_the_read_journal_lists_other_events_than_the_journal_replays()
    {
        await WriteLedgersAsync();
        var other = Other("ministore");
        await ExportAsync(other);
        using var device = new PluginStore();
        // A read journal over another (empty) store: it lists none of the replayed events, so their tags cannot be matched.
        string hocon = Path.Combine(device.Directory + "-elsewhere.conf");
        File.WriteAllText(hocon, File.ReadAllText(other.HoconFile) + $$"""

            akka.persistence.journal.elsewhere {
              class = "Akka.Persistence.MiniStore.Journal.MiniStoreJournal, Akka.Persistence.MiniStore"
              directory = "{{(device.Directory + "-elsewhere").Replace("\\", "/")}}"
            }
            akka.persistence.query.journal.elsewhere {
              class = "Akka.Persistence.MiniStore.Query.MiniStoreReadJournalProvider, Akka.Persistence.MiniStore.Query"
              write-plugin = "akka.persistence.journal.elsewhere"
            }
            """);
        try
        {
            var clock = Stopwatch.StartNew();
            var result = await Cli.RunAsync("import", device.Directory, "--from", hocon, "--pid", "ledger-2", "--read-journal", "akka.persistence.query.journal.elsewhere");

            Assert.Equal(ExitCodes.UsageError, result.ExitCode);
            Assert.Contains("'ledger-2': the read journal 'akka.persistence.query.journal.elsewhere' lists 0 events in 1..15, the journal replayed 15", result.Error);
            Assert.DoesNotContain("retry", result.Output);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}: a mismatch that a retry cannot mend was retried");
        }
        finally
        {
            File.Delete(hocon);
            if (Directory.Exists(device.Directory + "-elsewhere"))
                Directory.Delete(device.Directory + "-elsewhere", true);
        }
    }

    [SkippableTheory]
    [InlineData("ministore")]
    [InlineData("sql")]
    public async Task An_export_killed_half_way_and_run_again_gives_the_same_result(string kind)
    {
        const int events = 20_000;
        var other = Other(kind);
        using (var system = _store.StartSystem())
        {
            await Ledger.AppendAsync(system, "big", Ledger.Values(1, events), chunk: 2000);
            await system.Terminate();
        }

        using (var process = Process.Start(Cli.ProcessStart("export", _store.Directory, "--to", other.HoconFile, "--batch-size", "100", "--progress-every", "1000"))!)
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null && !line.Contains("events written"))
            {
            }
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        long exportedBeforeKill = await HighestOnOtherSideAsync(other, "big");
        Assert.InRange(exportedBeforeKill, 1000, events - 1);

        var result = await ExportAsync(other);

        // A write that a busy database times out is retried within the run (" (after 1 retries)" follows): the same result.
        Assert.Contains(result.Lines, l => l.StartsWith($"big: {events - exportedBeforeKill} events read, {events - exportedBeforeKill} written (after {exportedBeforeKill} up to {events}, resumed); check ok"));
        await AssertSameEventsAsync(other, _store.Directory, "big");
        using var check = other.StartSystem();
        Assert.Equal(Ledger.Values(1, events), await Ledger.RecoverAsync(check, "big"));
        await check.Terminate();
    }

    [Fact]
    public async Task Export_names_a_missing_hocon_file_and_a_file_that_names_no_journal()
    {
        await WriteLedgersAsync();
        var missing = await Cli.RunAsync("export", _store.Directory, "--to", "/nonexistent/sql.conf");
        Assert.Equal(ExitCodes.UsageError, missing.ExitCode);
        Assert.Contains("no HOCON file '/nonexistent/sql.conf'", missing.Error);

        string empty = Path.Combine(_store.Directory, "empty.conf");
        File.WriteAllText(empty, "akka.loglevel = INFO\n");
        var noPlugin = await Cli.RunAsync("export", _store.Directory, "--to", empty);
        Assert.Equal(ExitCodes.UsageError, noPlugin.ExitCode);
        Assert.Contains("empty.conf: set akka.persistence.journal.plugin", noPlugin.Error);
    }

    [Fact]
    public async Task Export_names_the_plugin_and_its_class_when_the_class_cannot_be_loaded()
    {
        await WriteLedgersAsync();
        string hocon = Path.Combine(_store.Directory, "nope.conf");
        File.WriteAllText(hocon, """
            akka.persistence.journal.plugin = "akka.persistence.journal.nope"
            akka.persistence.journal.nope { class = "Nope.Journal, Nope" }
            """);

        var result = await Cli.RunAsync("export", _store.Directory, "--to", hocon);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("nope.conf: the journal plugin 'akka.persistence.journal.nope' has class = \"Nope.Journal, Nope\", which cannot be loaded", result.Error);
    }

    [Fact]
    public async Task Export_of_an_event_whose_type_cannot_be_loaded_names_the_log_line_the_id_and_the_sequence_number()
    {
        await WriteLedgersAsync();
        // Rewrite ledger-2's log through the engine (valid checksums) with event 3 naming a type no assembly holds.
        string log = _store.EventLog("ledger-2");
        var records = LogFiles.Records(log).Select(r => System.Text.Json.Nodes.JsonNode.Parse(r)!.AsObject()).ToList();
        File.Delete(log);
        foreach (var node in records.Where(n => n["seq"]!.GetValue<long>() == 3))
            node["payloadType"] = "Nope.Event, Nope";
        LogFiles.Append(log, records.Select(n => System.Text.Encoding.UTF8.GetBytes(n.ToJsonString())).ToArray());
        var other = Other("ministore");

        var result = await Cli.RunAsync("export", _store.Directory, "--to", other.HoconFile, "--pid", "ledger-2");

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains($"Log '{log}' line 3 (persistence id 'ledger-2', sequence number 3)", result.Error);
        Assert.Contains("--assembly PATH", result.Error);
    }

    private async Task<long> HighestOnOtherSideAsync(OtherJournal other, string pid)
    {
        await using var plugins = other.StartBoth(_store.Directory);
        return await new JournalPlugin(plugins.OtherJournal, plugins.System, TimeSpan.FromSeconds(30)).HighestSequenceNrAsync(pid, default);
    }

    /// <summary>Both journals replay the same events: sequence numbers, payloads, manifests and (where the journal keeps them) writer ids.</summary>
    private static async Task AssertSameEventsAsync(OtherJournal other, string store, params string[] ids)
    {
        await using var plugins = other.StartBoth(store);
        var timeout = TimeSpan.FromSeconds(60);
        var mine = new JournalPlugin(plugins.MiniStoreJournal, plugins.System, timeout);
        var theirs = new JournalPlugin(plugins.OtherJournal, plugins.System, timeout);
        foreach (var pid in ids)
        {
            var expected = await mine.ReplayAsync(pid, 1, long.MaxValue, long.MaxValue, default);
            var actual = await theirs.ReplayAsync(pid, 1, long.MaxValue, long.MaxValue, default);
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Count, actual.Count);
            foreach (var (e, a) in expected.Zip(actual))
            {
                // Timestamps are not compared: Akka's write path (WriteJournalBase) gives the journal events without their time.
                Assert.Equal((e.SequenceNr, e.Payload, e.Manifest), (a.SequenceNr, a.Payload, a.Manifest));
                // Akka.Persistence.Sql stores its own writer id in place of the event's (see README); MiniStore keeps it.
                if (other.KeepsWriterIds)
                    Assert.Equal(e.WriterGuid, a.WriterGuid);
            }
        }
    }

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(_cleanUp))
            item.Dispose();
        _store.Dispose();
    }
}
