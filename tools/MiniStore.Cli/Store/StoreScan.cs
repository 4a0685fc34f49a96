using Akka.Persistence.MiniStore.Storage;
using MiniStore.Cli.Output;

namespace MiniStore.Cli.Store;

/// <summary>
/// Every persistence id of a store, scanned (see <see cref="JournalLog"/>), with progress on long scans. An id is
/// found by any of its files: its event log, its deletion log or its snapshot directory, so that an event log that is
/// gone while the store still records events of it is found and reported.
/// </summary>
internal sealed class StoreScan
{
    private StoreScan(StoreLayout layout, IReadOnlyList<JournalLog> logs, IReadOnlyList<Problem> problems)
    {
        Layout = layout;
        Logs = logs;
        Problems = problems;
    }

    public StoreLayout Layout { get; }
    public IReadOnlyList<JournalLog> Logs { get; }
    /// <summary>Findings about the store as a whole (the event index), after every id's.</summary>
    public IReadOnlyList<Problem> Problems { get; }
    public IEnumerable<Problem> AllProblems => Logs.SelectMany(l => l.Problems).Concat(Problems);

    public static StoreScan Run(StoreLayout layout, TextWriter progressOutput)
    {
        var paths = EventLogsOfEveryId(layout);
        long total = paths.Sum(p => JournalLog.SizeOf(p) + JournalLog.SizeOf(StoreLayout.DeletionLogOf(p)));
        var index = new IndexEvidence(layout);
        var logs = new List<JournalLog>(paths.Count);
        using (var progress = ScanProgress.ForConsole(progressOutput, total))
            foreach (var path in paths)
                logs.Add(JournalLog.Scan(layout, path, index, progress));
        var problems = new List<Problem>();
        if (index.Unreadable is { } why)
            problems.Add(new Problem(ProblemKind.Note, index.Path, 0,
                $"could not be read to check logs for lost events ({why}): they were checked without it, as the journal checks them; the journal rebuilds the index from the logs on its next start"));
        else if (index.TornTail is { } torn)
            problems.Add(new Problem(ProblemKind.Note, index.Path, 0,
                $"ends in a torn tail ({torn.Reason}; {torn.Length} bytes from byte offset {torn.Offset}), so the entries there were not used to check logs for lost events, as the journal does not use them; the journal cuts it on its next start"));
        return new StoreScan(layout, logs, problems);
    }

    /// <summary>The event log path of every id that has a file in the store, whether or not the event log itself exists.</summary>
    private static IReadOnlyList<string> EventLogsOfEveryId(StoreLayout layout)
    {
        var paths = new SortedSet<string>(layout.EventLogs(), StringComparer.Ordinal);
        if (Directory.Exists(layout.JournalDirectory))
            foreach (var deletions in Directory.EnumerateFiles(layout.JournalDirectory, "*" + StoreLayout.DeletionLogExtension))
                paths.Add(deletions[..^StoreLayout.DeletionLogExtension.Length] + StoreLayout.EventLogExtension);
        if (layout.SnapshotDirectory is { } snapshots && Directory.Exists(snapshots))
            foreach (var directory in Directory.EnumerateDirectories(snapshots))
                if (StoreLayout.SnapshotFiles(directory).Count > 0)
                    paths.Add(Path.Combine(layout.JournalDirectory, Path.GetFileName(directory) + StoreLayout.EventLogExtension));
        return paths.ToList();
    }
}
