using System.CommandLine;
using System.Text;
using Akka.Persistence.MiniStore.Journal;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Commands;

/// <summary>
/// <c>ministore repair DIR [--dry-run]</c>: removes torn tails, and nothing else. For each log it prints what it will
/// cut and why, then opens the log with the engine, which makes the same repair the journal makes on start: the
/// bytes are saved to a <c>.broken</c> file beside the log before the log is truncated. A log with damage that is not a
/// torn tail is left untouched and reported.
/// </summary>
internal static class RepairCommand
{
    private const int ShownBytes = 200;

    public static Command Create()
    {
        var directory = CommonArguments.Store();
        var dryRun = new Option<bool>("--dry-run") { Description = "Only print what would be removed." };
        var command = new Command("repair", "Truncate torn tails (bytes a crash left after the last complete record), after printing them; the bytes are saved to a .broken file. Other damage is reported, not touched.") { directory, dryRun };
        command.SetStoreAction(directory, async (parseResult, layout, output, cancellationToken) =>
        {
            // A running journal's last line may be a write in progress, not a torn tail: only repair a store nobody owns,
            // and keep it owned while repairing so a journal starting meanwhile is refused instead of racing us.
            StoreLock ownership;
            try
            {
                ownership = StoreLock.Acquire(layout.JournalDirectory, MiniStoreJournal.LockFileName, "ministore repair");
            }
            catch (StoreLockedException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"{e.Message} Stop the application that owns the store, then run repair again.");
                return ExitCodes.StoreInUse;
            }
            using var _ = ownership;
            bool dry = parseResult.GetValue(dryRun);
            var logs = await StoreScan.ScanAsync(layout, parseResult.InvocationConfiguration.Error, cancellationToken);
            int repaired = 0, refused = 0, pending = 0;
            foreach (var scan in logs.SelectMany(l => new[] { l.Events, l.Deletions }).OfType<LogScan>())
            {
                if (scan.IsDamaged)
                {
                    refused++;
                    output.WriteLine($"{scan.Path}: not repaired: it holds damage that is not a torn tail (run `ministore verify`):");
                    foreach (var problem in scan.Problems.Where(p => p.Kind == ProblemKind.Damage))
                        output.WriteLine($"  {problem}");
                    continue;
                }
                if (scan.TornTail is not { } tail)
                    continue;

                output.WriteLine($"{scan.Path}:{tail.LineNumber}: torn tail: {tail.Reason}");
                output.WriteLine($"  removes {tail.Length} bytes from offset {tail.Offset}, after {scan.Records} intact records: {Shown(scan.Path, tail.Offset)}");
                if (dry)
                {
                    pending++;
                    continue;
                }
                await using var log = await MiniStoreLog.OpenAsync(scan.Path, LogScanner.ReadOptions, cancellationToken);
                output.WriteLine(log.Repair is { } repair
                    ? $"  removed; the bytes are saved in {repair.BrokenCopyPath}"
                    : "  nothing removed: the log ended cleanly when opened (a writer completed it?)");
                repaired++;
            }

            output.WriteLine(dry
                ? $"dry run: {pending} torn tails would be removed, {refused} damaged logs would be left alone"
                : $"{repaired} torn tails removed, {refused} damaged logs left alone");
            return refused > 0 ? ExitCodes.Damaged : pending > 0 ? ExitCodes.TornTail : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The start of the bytes to be removed, as text with control characters escaped.</summary>
    private static string Shown(string path, long offset)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[ShownBytes];
        int read = RandomAccess.Read(file, bytes, offset);
        var text = new StringBuilder();
        foreach (char c in Encoding.UTF8.GetString(bytes, 0, read))
            text.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        return $"\"{text}\"" + (RandomAccess.GetLength(file) - offset > ShownBytes ? "..." : "");
    }
}
