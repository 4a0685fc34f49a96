using System.CommandLine;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Commands;

/// <summary>
/// <c>ministore verify DIR</c>: checks every line of every log and every snapshot (frame, checksum, readable record,
/// the persistence id it belongs to, increasing sequence numbers), and each id's log against what the store recorded
/// as stored (the journal's lost-events rule), and prints each problem as <c>file:line: ...</c>. It changes nothing.
/// Exit code 0 only when everything is intact; 3 when the only problems are torn tails, which <c>ministore repair</c>
/// cuts; 4 for any other damage or lost events.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var directory = CommonArguments.Store();
        var command = new Command("verify",
            "Check every line's checksum, every id's sequence numbers, every snapshot, and that no log holds fewer events than the store recorded as stored; " +
            "print each problem with its file and line. Changes nothing. Exit code 0 only when clean, 3 for torn tails only (repair cuts them), 4 for other damage or lost events.") { directory };
        command.SetStoreAction(directory, (parseResult, layout, output, cancellationToken) =>
        {
            var scan = StoreScan.Run(layout, parseResult.InvocationConfiguration.Error);
            var problems = scan.AllProblems.ToList();
            foreach (var problem in problems)
                output.WriteLine(problem);
            long records = scan.Logs.Sum(l => (l.Events?.Records ?? 0) + (l.Deletions?.Records ?? 0));
            int damaged = problems.Count(p => p.Kind == ProblemKind.Damage), lost = problems.Count(p => p.Kind == ProblemKind.LostEvents), torn = problems.Count(p => p.Kind == ProblemKind.TornTail);
            string found = damaged + lost + torn == 0 ? "clean" : $"{damaged} damaged, {torn} torn tails" + (lost > 0 ? $", {lost} logs with lost events" : "");
            output.WriteLine($"{scan.Logs.Count} persistence ids, {records} intact records, {scan.Logs.Sum(l => l.Snapshots.Count)} snapshots checked: {found}");
            return Task.FromResult(damaged + lost > 0 ? ExitCodes.Damaged : torn > 0 ? ExitCodes.TornTail : ExitCodes.Ok);
        });
        return command;
    }
}
