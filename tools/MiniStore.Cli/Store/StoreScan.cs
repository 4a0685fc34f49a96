using MiniStore.Cli.Output;
namespace MiniStore.Cli.Store;

/// <summary>Every persistence id of a store, scanned (see <see cref="JournalLog"/>), with progress on long scans.</summary>
internal static class StoreScan
{
    public static async Task<IReadOnlyList<JournalLog>> ScanAsync(StoreLayout layout, TextWriter progressOutput, CancellationToken cancellationToken)
    {
        var paths = layout.EventLogs().ToList();
        long total = paths.Sum(p => new FileInfo(p).Length + (File.Exists(StoreLayout.DeletionsLogFor(p)) ? new FileInfo(StoreLayout.DeletionsLogFor(p)).Length : 0));
        using var progress = ScanProgress.ForConsole(progressOutput, total);
        var logs = new List<JournalLog>(paths.Count);
        foreach (var path in paths)
            logs.Add(await JournalLog.ScanAsync(layout, path, progress, cancellationToken).ConfigureAwait(false));
        return logs;
    }
}
