using System.CommandLine;
using System.Text;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Storage;
using MiniStore.Cli.Output;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Commands;

/// <summary>
/// <c>ministore repair DIR [--dry-run]</c>: cuts torn tails, and nothing else, by the journal's rules. For each log it
/// prints what it cuts and why, then cuts it with the engine (<see cref="MiniStoreLog.RepairTail"/>), as the journal
/// does on start: the bytes are saved to a <c>.broken</c> file beside the log first. A persistence id with damage
/// that is not a torn tail, with a damaged snapshot, or whose log holds fewer events than the store recorded as stored
/// (<see cref="LostEventsException"/>) is left untouched, all its files, and reported.
/// </summary>
internal static class RepairCommand
{
    private const int ShownBytes = 200;

    public static Command Create()
    {
        var directory = CommonArguments.Store();
        var dryRun = new Option<bool>("--dry-run") { Description = "Only print what would be cut." };
        var command = new Command("repair",
            "Cut torn tails (bytes a crash left after the last complete batch), after printing them; the bytes are saved to a .broken file. " +
            "Damage, damaged snapshots and logs with lost events are reported, not touched.") { directory, dryRun };
        command.SetStoreAction(directory, (parseResult, layout, output, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            bool dry = parseResult.GetValue(dryRun);
            // A running journal's last line may be a write in progress, not a torn tail: only repair a store nobody owns,
            // and keep it owned while repairing so a journal starting meanwhile is refused instead of racing us.
            StoreLock? ownership = null;
            try
            {
                ownership = StoreLock.Acquire(layout.JournalDirectory, StoreLayout.JournalLockFile, "ministore repair");
            }
            catch (StoreLockedException e)
            {
                error.WriteLine(Printable.Escape($"ministore repair: {e.Message} Stop the application that owns the store, then run repair again."));
                return Task.FromResult(ExitCodes.StoreInUse);
            }
            catch (Exception e) when (StoreCommand.ExitCodeOf(e) == ExitCodes.NoAccess)
            {
                if (!dry)
                    return Task.FromResult(StoreCommand.Fail(error, command, ExitCodes.NoAccess,
                        $"cannot lock the journal directory '{layout.JournalDirectory}' ({e.Message}): repair must own and write the store; nothing was changed. " +
                        "Run it as the user the application runs as, on a writable file system."));
                error.WriteLine(Printable.Escape($"ministore repair: note: the store could not be locked ({e.Message}); if a journal is writing to it, a write in progress shows as a torn tail"));
            }
            using var _ = ownership;

            var scan = StoreScan.Run(layout, error);
            int repaired = 0, refused = 0, pending = 0, failed = 0;
            foreach (var log in scan.Logs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (log.IsDamaged)
                {
                    refused++;
                    string why = log.Lost is not null
                        ? $"events of {Id(log)} that the store recorded as stored are missing from it"
                        : $"{Id(log)} holds damage that is not a torn tail";
                    output.WriteLine(Printable.Escape($"{log.Path}: not repaired: {why}; nothing of it is changed (run `ministore verify`):"));
                    foreach (var problem in log.Problems.Where(p => p.IsDamage))
                        output.WriteLine($"  {problem}");
                    continue;
                }
                foreach (var torn in log.RepairableTornTails)
                {
                    var tail = torn.TornTail!;
                    output.WriteLine(Printable.Escape($"{torn.Path}:{torn.EndLineNumber}: torn tail: {tail.Reason}"));
                    output.WriteLine(Printable.Escape($"  removes {tail.Length} bytes from byte offset {tail.Offset}, after {torn.Records} intact records: {Shown(torn.Path, tail.Offset)}"));
                    if (dry)
                    {
                        pending++;
                        continue;
                    }
                    switch (Cut(torn.Path, tail, output, error))
                    {
                        case true: repaired++; break;
                        case false: failed++; break;
                        case null: pending++; break;
                    }
                }
            }

            output.WriteLine(dry
                ? $"dry run: {pending} torn tails would be removed, {refused} damaged persistence ids would be left alone"
                : $"{repaired} torn tails removed, {refused} damaged persistence ids left alone" + (failed + pending > 0 ? $", {failed + pending} torn tails not removed" : ""));
            return Task.FromResult(refused > 0 ? ExitCodes.Damaged : failed > 0 ? ExitCodes.NoAccess : pending > 0 ? ExitCodes.TornTail : ExitCodes.Ok);
        });
        return command;
    }

    private static string Id(JournalLog log) => log.PersistenceId is null ? log.Name : $"persistence id '{log.PersistenceId}'";

    /// <summary>Cuts the torn tail the scan found, if the log still ends in it: true when cut, false when it cannot be, null when the log changed meanwhile.</summary>
    private static bool? Cut(string path, TornTail scanned, TextWriter output, TextWriter error)
    {
        try
        {
            using var log = MiniStoreLog.Open(path, LogScanner.ReadOptions);
            if (log.TornTail is not { } now || now.Offset != scanned.Offset)
            {
                output.WriteLine("  not removed: the log changed since it was scanned; run repair again");
                return null;
            }
            var repair = log.RepairTail()!;
            output.WriteLine(Printable.Escape($"  removed; the bytes are saved in {repair.BrokenCopyPath}"));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine(Printable.Escape($"  not removed: {e.Message}"));
            error.WriteLine(Printable.Escape($"ministore repair: the torn tail of '{path}' could not be removed: {e.Message}"));
            return false;
        }
    }

    /// <summary>The start of the bytes to be removed, as text with control characters escaped.</summary>
    private static string Shown(string path, long offset)
    {
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[ShownBytes];
            int read = RandomAccess.Read(file, bytes, offset);
            return $"\"{Printable.Escape(Encoding.UTF8.GetString(bytes, 0, read))}\"" + (RandomAccess.GetLength(file) - offset > ShownBytes ? "..." : "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(cannot be shown: {e.Message})";
        }
    }
}
