using System.CommandLine;
using MiniStore.Cli.Output;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Commands;

/// <summary><c>ministore stats DIR</c>: totals and per-id sizes, for capacity planning on a device.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var directory = CommonArguments.Store();
        var top = new Option<int>("--top") { Description = "How many of the largest persistence ids to list.", DefaultValueFactory = _ => 20 }.Within(0, int.MaxValue);
        var command = new Command("stats", "Totals and the largest persistence ids by size: events, bytes, bytes per event, snapshots, .broken files.") { directory, top };
        command.SetStoreAction(directory, (parseResult, layout, output, cancellationToken) =>
        {
            var logs = StoreScan.Run(layout, parseResult.InvocationConfiguration.Error).Logs;
            long events = logs.Sum(l => l.EventCount), bytes = logs.Sum(l => l.Bytes);
            long snapshotBytes = logs.Sum(l => l.SnapshotBytes);
            var broken = layout.BrokenCopies().ToList();
            long brokenBytes = broken.Sum(JournalLog.SizeOf);
            output.WriteLine(Printable.Escape($"journal:        {layout.JournalDirectory}"));
            output.WriteLine(Printable.Escape($"snapshots:      {layout.SnapshotDirectory ?? "(none found)"}"));
            output.WriteLine($"persistence ids {logs.Count}");
            output.WriteLine($"events          {events}");
            output.WriteLine($"journal size    {Table.Size(bytes)} ({bytes} bytes)");
            output.WriteLine($"bytes per event {(events == 0 ? 0 : bytes / events)}");
            output.WriteLine($"snapshots       {logs.Sum(l => l.Snapshots.Count)} ({Table.Size(snapshotBytes)})");
            output.WriteLine($".broken files   {broken.Count} ({Table.Size(brokenBytes)})");
            output.WriteLine($"total on disk   {Table.Size(bytes + snapshotBytes + brokenBytes)}");
            output.WriteLine();

            var table = new Table("PERSISTENCE ID", "EVENTS", "SIZE", "BYTES/EVENT", "SNAPSHOTS", "SNAPSHOT SIZE", "SHARE");
            foreach (var log in logs.OrderByDescending(l => l.Bytes + l.SnapshotBytes).Take(parseResult.GetValue(top)))
                table.Add(log.Name, log.EventCount, Table.Size(log.Bytes), log.EventCount == 0 ? 0 : log.Bytes / log.EventCount,
                          log.Snapshots.Count, Table.Size(log.SnapshotBytes), $"{100.0 * (log.Bytes + log.SnapshotBytes) / Math.Max(1, bytes + snapshotBytes):0.0}%");
            table.WriteTo(output);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
