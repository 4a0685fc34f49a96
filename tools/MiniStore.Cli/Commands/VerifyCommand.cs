using System.CommandLine;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Commands;

/// <summary>
/// <c>ministore verify DIR</c>: checks every line of every log and snapshot (frame, checksum, readable record, the
/// persistence id it belongs to, increasing sequence numbers) and prints each problem as <c>file:line: ...</c>.
/// Exit code 0 only when everything is intact; 3 when the only problems are torn tails; 4 for any other damage.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var directory = CommonArguments.Store();
        var command = new Command("verify", "Check every line's checksum and every id's sequence numbers; print each problem with its file and line. Exit code 0 only when clean, 3 for torn tails only, 4 for other damage.") { directory };
        command.SetStoreAction(directory, async (parseResult, layout, output, cancellationToken) =>
        {
            var logs = await StoreScan.ScanAsync(layout, parseResult.InvocationConfiguration.Error, cancellationToken);
            var problems = logs.SelectMany(l => l.Problems).ToList();
            long snapshots = 0;
            foreach (var snapshot in logs.SelectMany(l => l.Snapshots))
            {
                snapshots++;
                problems.AddRange((await LogScanner.ScanAsync(snapshot, (_, _) => { }, null, cancellationToken)).Problems);
            }

            foreach (var problem in problems)
                output.WriteLine(problem);
            long records = logs.Sum(l => l.Events.Records + (l.Deletions?.Records ?? 0));
            int damaged = problems.Count(p => p.Kind == ProblemKind.Damage), torn = problems.Count(p => p.Kind == ProblemKind.TornTail);
            output.WriteLine($"{logs.Count} persistence ids, {records} intact records, {snapshots} snapshots checked: " +
                             (damaged + torn == 0 ? "clean" : $"{damaged} damaged, {torn} torn tails"));
            return damaged > 0 ? ExitCodes.Damaged : torn > 0 ? ExitCodes.TornTail : ExitCodes.Ok;
        });
        return command;
    }
}
