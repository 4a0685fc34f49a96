using System.Diagnostics;
using Akka.Persistence.MiniStore.Storage;

namespace MiniStore.Benchmarks;

/// <summary>
/// The part of MiniStore's start-up that grows with the store, alone: what its event index catch-up does per log before
/// the first write may go on (open the log read-only, read its last record, parse its ordering), timed on one thread in
/// a process of its own: the first pass pays the JIT, the later ones are the work itself (file cache warm, as in the
/// start-up samples; a device after a reboot reads cold).
/// <code>... -- startup-catchup [directory of a MiniStore store]</code> (the start-up mode runs it on its store)
/// </summary>
internal static class CatchUpProbe
{
    public const string Mode = "startup-catchup";

    public static void Run(string[] args)
    {
        var layout = StoreLayout.Find(args[0]) ?? throw new DirectoryNotFoundException($"no MiniStore store in '{args[0]}'");
        var passes = new List<double>();
        int logs = 0;
        for (int pass = 0; pass < 4; pass++)
        {
            var watch = Stopwatch.StartNew();
            long highest = 0;
            logs = 0;
            foreach (var path in layout.EventLogs())
            {
                using var log = MiniStoreLog.Open(path, readOnly: true);
                if (log.LastRecordAtOpen is { } last)
                    highest = Math.Max(highest, EventRecord.Read(last, path).Ordering);
                logs++;
            }
            passes.Add(watch.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"  MiniStore's index catch-up work alone ({logs:N0} logs: open read-only, last record, its ordering), one thread: first pass {passes[0]:N0} ms (with its JIT), then {string.Join(", ", passes.Skip(1).Select(p => p.ToString("N0")))} ms ({passes.Skip(1).Min() * 1000 / Math.Max(1, logs):N0} µs per log)");
    }
}
