using System.CommandLine;
using Akka.Persistence.MiniStore.Storage;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Commands;

/// <summary><c>ministore tail [-f] DIR PID</c>: the last events of a persistence id, then (with -f) each new one as it is written.</summary>
internal static class TailCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static Command Create()
    {
        var directory = CommonArguments.Store();
        var persistenceId = CommonArguments.PersistenceId();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing events as they are appended, until Ctrl+C." };
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the last events to print first.", DefaultValueFactory = _ => 10 }.Within(0, int.MaxValue);
        var command = new Command("tail", "Print the last events of a persistence id; with -f, follow new events as they are appended.") { directory, persistenceId, follow, lines };
        command.SetStoreAction(directory, async (parseResult, layout, output, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            string pid = parseResult.GetValue(persistenceId)!;
            if (StoreCommand.EventLogOf(layout, pid, error, command) is not { } path)
                return ExitCodes.NotFound;
            bool following = parseResult.GetValue(follow);
            if (!MiniStoreLog.Exists(path) && !following)
                return StoreCommand.Fail(error, command, ExitCodes.NotFound, $"no events for persistence id '{pid}' (no file {path})");

            int count = parseResult.GetValue(lines);
            var last = new Queue<string>();
            long printedTo = PrintAfter(path, pid, 0, line =>
            {
                last.Enqueue(line);
                if (last.Count > count) last.Dequeue();
            });
            foreach (var line in last)
                output.WriteLine(line);
            output.Flush();

            while (following && !cancellationToken.IsCancellationRequested)
            {
                try { await Task.Delay(PollInterval, cancellationToken); }
                catch (OperationCanceledException) { break; }
                printedTo = PrintAfter(path, pid, printedTo, output.WriteLine);
                output.Flush();
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Prints the events after sequence number <paramref name="after"/> and returns the last one printed. The log is
    /// opened anew each time and the first new event found by a binary search on sequence numbers, so a log the journal
    /// compacted (replaced by its suffix) in between is followed as well. A batch still being written is a torn tail
    /// to the reader: it is printed at the next poll, whole.
    /// </summary>
    private static long PrintAfter(string path, string persistenceId, long after, Action<string> print)
    {
        if (!MiniStoreLog.Exists(path))
            return after;
        using var log = MiniStoreLog.Open(path, LogScanner.ReadOptions, readOnly: true);
        var check = new EventLogCheck(path, persistenceId);
        long start = after == 0 ? 0 : log.Seek(check.SequenceNrOf, after + 1);
        foreach (var record in log.Read(start, start == 0 ? 1 : 0))
        {
            var e = check.Read(record);
            if (e.SequenceNr <= after)
                continue;
            print(CatCommand.Describe(e));
            after = e.SequenceNr;
        }
        return after;
    }
}
