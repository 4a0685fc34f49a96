using System.CommandLine;
using MiniStore.Cli.Output;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Commands;

/// <summary><c>ministore ls DIR</c>: one line per persistence id.</summary>
internal static class LsCommand
{
    public static Command Create()
    {
        var directory = CommonArguments.Store();
        var command = new Command("ls", "List persistence ids: event count, highest sequence number, deleted-to mark, size, last write time, snapshot count, state.") { directory };
        command.SetStoreAction(directory, (parseResult, layout, output, cancellationToken) =>
        {
            var scan = StoreScan.Run(layout, parseResult.InvocationConfiguration.Error);
            var table = new Table("PERSISTENCE ID", "EVENTS", "HIGHEST SEQ", "DELETED TO", "SIZE", "LAST WRITE (UTC)", "SNAPSHOTS", "STATE");
            foreach (var log in scan.Logs.OrderBy(l => l.Name, StringComparer.Ordinal))
                table.Add(log.Name, log.EventCount, log.HighestSequenceNr, log.DeletedTo, Table.Size(log.Bytes), log.LastWriteUtc is { } time ? time : "-", log.Snapshots.Count, State(log));
            table.WriteTo(output);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static string State(JournalLog log) =>
        log.Lost is not null ? "LOST EVENTS (run verify)"
        : log.IsDamaged ? "DAMAGED (run verify)"
        : log.Events?.TornTail is not null || log.Deletions?.TornTail is not null ? "torn tail"
        : "ok";
}
