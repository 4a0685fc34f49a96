using System.Diagnostics;
using Akka.Persistence.MiniStore;
using Microsoft.Win32.SafeHandles;

namespace MiniStore.Benchmarks;

/// <summary>
/// What the plugin's instruments cost per journal write, without the disk's noise: the calls the journal makes for one
/// append (<c>PluginMetrics.Written</c>: two counters and a histogram, and one timed fsync through its measured
/// <see cref="IFileSync"/>, here a sync that does nothing), a million times, with no listener and with a
/// <see cref="MetricsListener"/>. The difference, set against a scenario's CPU per event, bounds the metrics' share.
/// </summary>
internal static class InstrumentCost
{
    private const int Writes = 1_000_000;

    /// <summary>Nanoseconds per write: (no listener, with the listener); the median of 5 runs after 2 warm-ups each.</summary>
    public static (double Without, double With) PerWrite()
    {
        using var metrics = new PluginMetrics("akka.persistence.journal.ministore", Path.GetTempPath());
        var sync = metrics.Measured(new NoSync());
        using var file = new SafeFileHandle(); // never synced: NoSync ignores it
        double Run()
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < Writes; i++)
            {
                sync.SyncFile(file);
                metrics.Written(1, 200);
            }
            return watch.Elapsed.TotalNanoseconds / Writes;
        }
        double Median(Func<double> run)
        {
            run();
            run();
            return Enumerable.Range(0, 5).Select(_ => run()).Order().ElementAt(2);
        }
        double without = Median(Run);
        using var listener = new MetricsListener();
        return (without, Median(Run));
    }

    private sealed class NoSync : IFileSync
    {
        public void SyncFile(SafeFileHandle file) { }
        public void SyncDirectory(string directory) { }
    }
}
