using System.CommandLine;
using Akka.Persistence.MiniStore.Journal;
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
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the last events to print first.", DefaultValueFactory = _ => 10 };
        var command = new Command("tail", "Print the last events of a persistence id; with -f, follow new events as they are appended.") { directory, persistenceId, follow, lines };
        command.SetStoreAction(directory, async (parseResult, layout, output, cancellationToken) =>
        {
            string path = layout.EventLogFor(parseResult.GetValue(persistenceId)!);
            bool following = parseResult.GetValue(follow);
            if (!File.Exists(path) && !following)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"ministore: no events for persistence id '{parseResult.GetValue(persistenceId)}' (no file {path})");
                return ExitCodes.NotFound;
            }

            var last = new Queue<string>();
            var position = await ReadNewAsync(path, (0, 1), line =>
            {
                last.Enqueue(line);
                if (last.Count > parseResult.GetValue(lines)) last.Dequeue();
            }, cancellationToken);
            foreach (var line in last)
                output.WriteLine(line);
            output.Flush();

            while (following && !cancellationToken.IsCancellationRequested)
            {
                try { await Task.Delay(PollInterval, cancellationToken); }
                catch (OperationCanceledException) { break; }
                position = await ReadNewAsync(path, position, output.WriteLine, cancellationToken);
                output.Flush();
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Prints the complete records after <paramref name="from"/> and returns where the next read starts. A record
    /// still being written is a torn tail to the reader: it is left for the next poll, not printed half.
    /// </summary>
    private static async Task<(long Offset, long LineNumber)> ReadNewAsync(string path, (long Offset, long LineNumber) from, Action<string> print, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) || new FileInfo(path).Length <= from.Offset)
            return from;
        using var reader = new LogReader(path, LogScanner.ReadOptions, from.Offset, from.LineNumber);
        await foreach (var record in reader.ReadAsync(cancellationToken))
            print(CatCommand.Describe(EventRecord.Read(record, path)));
        return (reader.CommittedLength, reader.NextLineNumber);
    }
}
