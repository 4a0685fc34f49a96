using System.Text;
using Akka.Persistence.MiniStore;
using Xunit;

namespace MiniStore.Cli.Tests;

/// <summary>
/// Every command on input meant to break it: empty and control-character ids, files that are links, pipes, directories
/// or no log at all, zero-filled and cut logs, a read-only store, missing directories, bad option values. Each fails
/// or reports clearly: one line on stderr naming the file, line or id, an exit code from <see cref="ExitCodes"/>, never
/// a stack trace; text from the store is escaped.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private readonly PluginStore _store = new();
    private string Dir => _store.Directory;

    public Task InitializeAsync() => _store.WriteSampleAsync();

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("cat")]
    [InlineData("tail")]
    public async Task An_empty_persistence_id_is_a_clear_error_with_exit_code_2(string command)
    {
        var result = (await Cli.RunAsync(command, Dir, "")).WithoutStackTrace();

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Equal($"ministore {command}: the persistence id is empty: no events are stored under an empty id (give the id as the actor's PersistenceId returns it)",
                     Assert.Single(result.ErrorLines));
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Ids_with_control_characters_are_escaped_in_ls_stats_and_verify()
    {
        using (var system = _store.StartSystem())
        {
            await PluginStore.PersistAsync(system, "line\nbreak", "a");
            await PluginStore.PersistAsync(system, "nul\0id", "b");
            await PluginStore.PersistAsync(system, "esc\u001b[31mred", "c");
            await system.Terminate();
        }
        // A stray record of the newline id in sensor-2's log: verify names the id in its message.
        LogFiles.Append(_store.EventLog("sensor-2"), LogFiles.Records(_store.EventLog("line\nbreak"))[0]);

        var ls = (await Cli.RunAsync("ls", Dir)).WithoutStackTrace();
        var stats = (await Cli.RunAsync("stats", Dir)).WithoutStackTrace();
        var verify = (await Cli.RunAsync("verify", Dir)).WithoutStackTrace();

        Assert.Equal(6, ls.Lines.Length); // header and five ids: no id broke a line
        Assert.Contains(ls.Lines, l => l.StartsWith("line\\nbreak "));
        Assert.Contains(ls.Lines, l => l.StartsWith("nul\\0id "));
        Assert.Contains(ls.Lines, l => l.StartsWith("esc\\u001b[31mred "));
        Assert.Contains(stats.Lines, l => l.StartsWith("esc\\u001b[31mred "));
        Assert.Contains(verify.Lines, l => l == $"{_store.EventLog("sensor-2")}:4: DAMAGED: record belongs to persistence id 'line\\nbreak', expected 'sensor-2'");
        foreach (var text in new[] { ls.Output, stats.Output, verify.Output })
            Assert.DoesNotContain(text, c => c is '\0' or '\u001b' or '\r');
    }

    [SkippableFact]
    public async Task Links_pipes_directories_garbage_and_zero_filled_files_are_reported_by_name_and_nothing_is_changed()
    {
        string journal = _store.JournalDirectory;
        string link = Path.Combine(journal, "link.0123.jsonl"), pipe = Path.Combine(journal, "pipe.0123.jsonl");
        string garbage = Path.Combine(journal, "garbage.0123.jsonl"), zeros = Path.Combine(journal, "zeros.0123.jsonl");
        File.CreateSymbolicLink(link, "/etc/hostname");
        Skip.IfNot(Mkfifo(pipe), "mkfifo is not available here");
        Directory.CreateDirectory(_store.EventLog("nobody")); // a directory where "nobody"'s log would be
        File.WriteAllBytes(garbage, Encoding.UTF8.GetBytes("hello\nthis is not a log\n"));
        File.WriteAllBytes(zeros, new byte[4096]);
        var snapshotOfSensor2 = Path.Combine(Dir, "snapshots", PersistenceIdFileName.For("sensor-2"));
        Directory.CreateSymbolicLink(snapshotOfSensor2, Path.GetTempPath());

        var verify = (await Cli.RunAsync("verify", Dir)).WithoutStackTrace();

        Assert.Equal(ExitCodes.Damaged, verify.ExitCode);
        Assert.Contains(verify.Lines, l => l.StartsWith($"{link}: DAMAGED: cannot be read: '{link}' is a symbolic link, not a regular file"));
        Assert.Contains(verify.Lines, l => l.StartsWith($"{pipe}: DAMAGED: cannot be read: '{pipe}' is a named pipe, not a regular file"));
        Assert.Contains(verify.Lines, l => l.StartsWith($"{garbage}:2: DAMAGED: line does not start with {{\"crc\":\""));
        Assert.Contains(verify.Lines, l => l.StartsWith($"{garbage}:1: DAMAGED: "));
        Assert.Contains(verify.Lines, l => l.StartsWith($"{snapshotOfSensor2}: DAMAGED: the snapshot directory of sensor-2 is a symbolic link"));
        // Zeros without a line break are a torn tail, and nothing records events of that log: repair cuts it.
        Assert.Contains(verify.Lines, l => l.StartsWith($"{zeros}:1: torn tail: last line has no line break (4096 bytes)") && l.Contains("cut by repair"));

        foreach (var command in new[] { "ls", "stats" })
            Assert.Equal(ExitCodes.Ok, (await Cli.RunAsync(command, Dir)).WithoutStackTrace().ExitCode);
        var dryRun = (await Cli.RunAsync("repair", Dir, "--dry-run")).WithoutStackTrace();
        Assert.Equal(ExitCodes.Damaged, dryRun.ExitCode);
        Assert.Contains(dryRun.Lines, l => l.StartsWith($"{link}: not repaired"));
        Assert.Equal(new byte[4096], File.ReadAllBytes(zeros));

        var cat = (await Cli.RunAsync("cat", Dir, "nobody")).WithoutStackTrace();
        Assert.NotEqual(ExitCodes.Ok, cat.ExitCode);
        Assert.Equal($"ministore cat: '{_store.EventLog("nobody")}' is a directory, not a regular file: MiniStore neither follows links nor opens anything else as a log, " +
                     "so that nothing outside its directory is read or changed", Assert.Single(cat.ErrorLines));
    }

    [Fact]
    public async Task A_damaged_last_line_is_reported_and_the_lines_before_it_are_still_checked()
    {
        string log = _store.EventLog("sensor-1");
        Damage.FlipByteInLine(log, 2);
        Damage.AlterLine(log, 6, "\"seq\":6", "\"seq\":9"); // whole, well-formed JSON, wrong checksum: changed, not torn

        var verify = (await Cli.RunAsync("verify", Dir)).WithoutStackTrace();
        var repair = (await Cli.RunAsync("repair", Dir)).WithoutStackTrace();
        var cat = (await Cli.RunAsync("cat", Dir, "sensor-1")).WithoutStackTrace();

        Assert.Equal(ExitCodes.Damaged, verify.ExitCode);
        Assert.Contains(verify.Lines, l => l.StartsWith($"{log}:6: DAMAGED: checksum mismatch") && l.Contains("so it was changed after it was written"));
        Assert.Contains(verify.Lines, l => l.StartsWith($"{log}:2: DAMAGED: checksum mismatch"));
        Assert.Contains("8 intact records", verify.Lines[^1]); // 10 minus lines 2 and 6 of sensor-1
        Assert.Equal(ExitCodes.Damaged, repair.ExitCode);
        Assert.DoesNotContain(repair.Lines, l => l.Contains("the bytes are saved"));
        Assert.Equal(ExitCodes.Damaged, cat.ExitCode);
        Assert.StartsWith($"ministore cat: Log '{log}' is damaged at line 6", Assert.Single(cat.ErrorLines));
    }

    [SkippableFact]
    public async Task A_read_only_store_is_read_and_verified_and_repair_says_it_cannot_write()
    {
        var torn = Damage.AppendTornLine(_store.EventLog("sensor-2"));
        File.Delete(Path.Combine(_store.JournalDirectory, "journal.lock")); // as on a store copied off a device
        using var readOnly = ReadOnlyDirectory.Create(_store.JournalDirectory);
        Skip.If(readOnly is null, "cannot make a directory read-only here (neither its mode nor chattr +i stop this user)");

        var ls = (await Cli.RunAsync("ls", Dir)).WithoutStackTrace();
        var verify = (await Cli.RunAsync("verify", Dir)).WithoutStackTrace();
        var dryRun = (await Cli.RunAsync("repair", Dir, "--dry-run")).WithoutStackTrace();
        var repair = (await Cli.RunAsync("repair", Dir)).WithoutStackTrace();

        Assert.Equal(ExitCodes.Ok, ls.ExitCode);
        Assert.Equal(ExitCodes.TornTail, verify.ExitCode);
        Assert.Equal(ExitCodes.TornTail, dryRun.ExitCode);
        Assert.Contains(dryRun.ErrorLines, l => l.StartsWith("ministore repair: note: the store could not be locked"));
        Assert.Equal(ExitCodes.NoAccess, repair.ExitCode);
        Assert.StartsWith($"ministore repair: cannot lock the journal directory '{_store.JournalDirectory}'", Assert.Single(repair.ErrorLines));
        Assert.Equal(torn, File.ReadAllBytes(_store.EventLog("sensor-2"))[^torn.Length..]);
    }

    [Fact]
    public async Task Missing_directories_files_given_as_directories_and_bad_option_values_are_clear_errors()
    {
        string missing = Path.Combine(Dir, "missing"), file = _store.EventLog("sensor-1");

        var ls = (await Cli.RunAsync("ls", missing)).WithoutStackTrace();
        var verify = (await Cli.RunAsync("verify", file)).WithoutStackTrace();
        var import = (await Cli.RunAsync("import", Path.Combine(file, "store"), "--from", file, "--pid", "x")).WithoutStackTrace();
        var batch = (await Cli.RunAsync("export", Dir, "--to", file, "--batch-size", "0")).WithoutStackTrace();
        var lines = (await Cli.RunAsync("tail", Dir, "sensor-1", "-n", "-1")).WithoutStackTrace();
        string notHocon = Path.Combine(Dir, "passwd");
        File.WriteAllText(notHocon, "root:x:0:0:root:/root:/bin/bash\n");
        var hocon = (await Cli.RunAsync("export", Dir, "--to", notHocon)).WithoutStackTrace();

        Assert.Equal((ExitCodes.NotFound, $"ministore ls: no directory '{missing}'"), (ls.ExitCode, Assert.Single(ls.ErrorLines)));
        Assert.Equal((ExitCodes.NotFound, $"ministore verify: '{file}' is a file, not a store directory (a directory with journal/ and snapshots/, or a journal directory)"),
                     (verify.ExitCode, Assert.Single(verify.ErrorLines)));
        Assert.Equal(ExitCodes.NoAccess, import.ExitCode);
        Assert.StartsWith($"ministore import: cannot create the store directory '{Path.Combine(file, "store", "journal")}'", Assert.Single(import.ErrorLines));
        Assert.Equal(ExitCodes.UsageError, batch.ExitCode);
        Assert.Contains("--batch-size must be from 1 to 1000000; got 0", batch.Error);
        Assert.Equal(ExitCodes.UsageError, lines.ExitCode);
        Assert.Contains("--lines must be from 0 to 2147483647; got -1", lines.Error);
        Assert.Equal(ExitCodes.UsageError, hocon.ExitCode);
        Assert.StartsWith("ministore export: passwd is not valid HOCON: ", Assert.Single(hocon.ErrorLines));
    }

    private static bool Mkfifo(string path)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start("mkfifo", [path]);
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
