using System.Diagnostics;
using Akka.Event;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// Warns as the journal directory approaches max-store-size (from store-size-warning-ratio on) and reports an error
/// once it is over. It only warns: refusing writes would lose events the application believes stored. Sizes are
/// summed at most every <see cref="Interval"/>, so writes do not pay for a directory listing each time.
/// </summary>
internal sealed class StoreSizeWatch(string directory, RetentionSettings settings, ILoggingAdapter log)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly Stopwatch _sinceCheck = Stopwatch.StartNew();
    private bool _checkedOnce;

    public void Check()
    {
        if (settings.MaxStoreSize is not { } max)
            return;
        lock (_sinceCheck)
        {
            if (_checkedOnce && _sinceCheck.Elapsed < Interval)
                return;
            _checkedOnce = true;
            _sinceCheck.Restart();
        }
        long size = Size(directory);
        if (size >= max)
            log.Error("MiniStore journal '{0}' holds {1} bytes, more than max-store-size ({2} bytes): delete events after snapshots (DeleteMessages) so compaction can free space", directory, size, max);
        else if (size >= max * settings.StoreSizeWarningRatio)
            log.Warning("MiniStore journal '{0}' holds {1} bytes, {2:P0} of max-store-size ({3} bytes)", directory, size, (double)size / max, max);
    }

    public static long Size(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}
