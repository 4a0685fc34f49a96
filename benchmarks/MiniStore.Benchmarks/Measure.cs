using System.Diagnostics;
using System.Runtime;

namespace MiniStore.Benchmarks;

/// <summary>One measured figure: the median of the repeated runs, and the process's peaks while they ran.</summary>
internal sealed record Result(double Median, IReadOnlyList<double> Runs, long PeakBytes, int PeakHandles, double AllocatedPerOp)
{
    /// <summary>Median over the runs of this rate divided by the ceiling's rate measured just before it; null without a ceiling.</summary>
    public double? PairedRatio { get; init; }

    /// <summary>Process CPU time (user + system, all threads) per operation during the measured runs only, in µs; null where not measured.</summary>
    public double? CpuMicrosecondsPerOp { get; init; }

    /// <summary>The part of <see cref="CpuMicrosecondsPerOp"/> spent in the process's own code rather than the kernel.</summary>
    public double? UserCpuMicrosecondsPerOp { get; init; }

    /// <summary>The discarded runs before the measured ones.</summary>
    public int WarmUps { get; init; }
}

/// <summary>A scenario run without and with something (a metrics listener): both results and the median of the paired ratios of their rates.</summary>
internal sealed record Comparison(Result Without, Result With, double PairedRatio, IReadOnlyList<double> Ratios)
{
    /// <summary>CPU per operation with over without.</summary>
    public double CpuRatio => With.CpuMicrosecondsPerOp!.Value / Without.CpuMicrosecondsPerOp!.Value;
}

/// <summary>A raw-disk limit that is run right before each run of a scenario, so that the two see the same disk weather.</summary>
internal sealed record Ceiling(string Name, long Operations, Func<int, Task> Run);

/// <summary>Runs a scenario to warm up (discarded, see <see cref="WarmUpAsync"/>), then <c>repeats</c> times, and reports the median.</summary>
internal static class Measure
{
    /// <summary>Operations per second; <paramref name="run"/> gets the run number (0 or below = warm-up) and returns the seconds to count, or null to count its whole duration.</summary>
    public static async Task<Result> RateAsync(string name, int repeats, long operations, Func<int, Task<double?>> run, Ceiling? ceiling = null)
    {
        var ratios = new List<double>();
        TimeSpan cpu = TimeSpan.Zero, userCpu = TimeSpan.Zero;
        var result = await RepeatAsync(repeats, async i =>
        {
            double ceilingRate = 0;
            if (ceiling is not null && i > 0)
            {
                var ceilingWatch = Stopwatch.StartNew();
                await ceiling.Run(1000 + i);
                ceilingRate = ceiling.Operations / ceilingWatch.Elapsed.TotalSeconds;
            }
            var watch = Stopwatch.StartNew();
            var cpuBefore = Environment.CpuUsage;
            double seconds = await run(i) ?? watch.Elapsed.TotalSeconds;
            if (i > 0)
            {
                var cpuAfter = Environment.CpuUsage;
                cpu += cpuAfter.TotalTime - cpuBefore.TotalTime;
                userCpu += cpuAfter.UserTime - cpuBefore.UserTime;
            }
            if (ceiling is not null && i > 0)
                ratios.Add(operations / seconds / ceilingRate);
            return operations / seconds;
        }, operations);
        // CPU per operation is steadier than the rate on a shared machine: waiting for the disk costs none.
        result = result with { CpuMicrosecondsPerOp = cpu.TotalMicroseconds / (operations * repeats), UserCpuMicrosecondsPerOp = userCpu.TotalMicroseconds / (operations * repeats) };
        if (ceiling is not null)
        {
            ratios.Sort();
            result = result with { PairedRatio = ratios[ratios.Count / 2] };
        }
        Print(name, result, "/s", "N0");
        if (result.PairedRatio is { } paired)
            Console.WriteLine($"    paired with {ceiling!.Name} before each run: ratio {paired:N2}x (runs: {string.Join(", ", ratios.Select(r => r.ToString("N2")))})");
        return result;
    }

    public static Task<Result> RateAsync(string name, int repeats, long operations, Func<int, Task> run, Ceiling? ceiling = null) =>
        RateAsync(name, repeats, operations, async i => { await run(i); return null; }, ceiling);

    /// <summary>
    /// Two variants of one scenario (<paramref name="withoutIt"/> and <paramref name="withIt"/> something), warmed up each,
    /// then run in turns, the order swapped every pair (A B, B A, ...) so that neither always runs on the disk the other
    /// left; the ratio of each pair's rates, with over without, and its median, are what is compared. CPU and bytes
    /// allocated per operation are summed per variant: steadier than rates, since waiting for the disk costs no CPU.
    /// <paramref name="measuredCpu"/>, when given, tells the CPU time of the part of the last run that was timed (else
    /// the whole run's counts, with the start and stop of its actor system, which would water the difference down).
    /// </summary>
    public static async Task<Comparison> CompareAsync(string name, int repeats, long operations, Func<int, Task<double?>> withoutIt, Func<int, Task<double?>> withIt,
        Func<(TimeSpan Total, TimeSpan User)>? measuredCpu = null)
    {
        var variants = new[] { withoutIt, withIt };
        var rates = new[] { new List<double>(), new List<double>() };
        var cpu = new TimeSpan[2];
        var userCpu = new TimeSpan[2];
        var allocated = new long[2];
        var warmUps = new int[2];
        for (int v = 0; v < 2; v++)
        {
            var variant = variants[v];
            warmUps[v] = await WarmUpAsync(async i => operations / (await TimedAsync(variant, i)));
        }
        using var sampler = new ResourceSampler();
        for (int i = 1; i <= repeats; i++)
            foreach (int v in i % 2 == 1 ? new[] { 0, 1 } : [1, 0])
            {
                var cpuBefore = Environment.CpuUsage;
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                double seconds = await TimedAsync(variants[v], i);
                allocated[v] += GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                var cpuAfter = Environment.CpuUsage;
                var (total, user) = measuredCpu?.Invoke() ?? (cpuAfter.TotalTime - cpuBefore.TotalTime, cpuAfter.UserTime - cpuBefore.UserTime);
                cpu[v] += total;
                userCpu[v] += user;
                rates[v].Add(operations / seconds);
            }
        var results = Enumerable.Range(0, 2).Select(v => new Result(rates[v].Order().ElementAt(repeats / 2), rates[v], sampler.PeakBytes, sampler.PeakHandles, allocated[v] / (double)(operations * repeats))
        {
            CpuMicrosecondsPerOp = cpu[v].TotalMicroseconds / (operations * repeats),
            UserCpuMicrosecondsPerOp = userCpu[v].TotalMicroseconds / (operations * repeats),
            WarmUps = warmUps[v],
        }).ToArray();
        var ratios = rates[1].Zip(rates[0], (w, wo) => w / wo).ToList();
        var comparison = new Comparison(results[0], results[1], ratios.Order().ElementAt(ratios.Count / 2), ratios);
        Print(name + " (without)", results[0], "/s", "N0");
        Print(name + " (with)", results[1], "/s", "N0");
        Console.WriteLine($"    with / without, paired: rate {comparison.PairedRatio:N3}x (runs: {string.Join(", ", ratios.Select(r => r.ToString("N3")))}), CPU per op {comparison.CpuRatio:N3}x");
        return comparison;
    }

    /// <summary>The seconds a run counts (what it returns, or its whole duration).</summary>
    private static async Task<double> TimedAsync(Func<int, Task<double?>> run, int i)
    {
        var watch = Stopwatch.StartNew();
        return await run(i) ?? watch.Elapsed.TotalSeconds;
    }

    /// <summary>Milliseconds of <paramref name="run"/> (lower is better).</summary>
    public static async Task<Result> MillisecondsAsync(string name, int repeats, Func<int, Task<double>> run)
    {
        var result = await RepeatAsync(repeats, run, 1);
        Print(name, result, "ms", "N1");
        return result;
    }

    private const int MaxWarmUps = 4;
    private const double SettledJitShare = 0.1;
    private static readonly TimeSpan TierUpPause = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Discarded runs (numbered 0, -1, -2, ...): one, and more while the JIT is still busy, up to <see cref="MaxWarmUps"/>.
    /// .NET compiles a method quickly first and again, optimized, on a background thread once it is hot; that second
    /// round takes seconds of CPU for Akka's code and ran into the measured runs of whichever journal came first, so
    /// the first journal paid for the whole process's tier-up (S2: 0.36-1.9 s of JIT in a 2-3 s run of MiniStore, 0.05-0.08 s
    /// for the journal after it). Warm-ups go on until the JIT takes less than <see cref="SettledJitShare"/> of one.
    /// </summary>
    private static async Task<int> WarmUpAsync(Func<int, Task<double>> run)
    {
        for (int warmUps = 1; ; warmUps++)
        {
            var jitBefore = JitInfo.GetCompilationTime();
            var watch = Stopwatch.StartNew();
            await run(1 - warmUps);
            await Task.Delay(TierUpPause); // hot methods are recompiled after a 100 ms call-counting delay
            if (JitInfo.GetCompilationTime() - jitBefore < watch.Elapsed * SettledJitShare || warmUps == MaxWarmUps)
                return warmUps;
        }
    }

    private static async Task<Result> RepeatAsync(int repeats, Func<int, Task<double>> run, long operations)
    {
        int warmUps = await WarmUpAsync(run); // also file system caches
        var values = new List<double>();
        using var sampler = new ResourceSampler();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 1; i <= repeats; i++)
            values.Add(await run(i));
        double allocatedPerOp = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)(operations * repeats);
        var sorted = values.OrderBy(v => v).ToList();
        return new Result(sorted[sorted.Count / 2], values, sampler.PeakBytes, sampler.PeakHandles, allocatedPerOp) { WarmUps = warmUps };
    }

    private static void Print(string name, Result result, string unit, string format) =>
        Console.WriteLine($"  {name,-62} {result.Median.ToString(format),12} {unit,-3} (runs: {string.Join(", ", result.Runs.Select(r => r.ToString(format)))}; peak {result.PeakBytes / 1048576.0:N0} MB, {result.PeakHandles} fds{PerOp(result)}; {result.WarmUps} warm-up{(result.WarmUps == 1 ? "" : "s")})");

    private static string PerOp(Result result) =>
        result.CpuMicrosecondsPerOp is { } cpu ? $"; per op {cpu:N1} µs CPU ({result.UserCpuMicrosecondsPerOp:N1} user), {result.AllocatedPerOp:N0} B allocated" : "";
}

/// <summary>
/// Samples the process's resident memory and open file descriptors every 100 ms and keeps the peaks (and once more
/// when a peak is read, so a short run still counts). The sampling itself must cost next to nothing, since it runs
/// during the measurement on the same 2 cores: <c>Process.WorkingSet64</c> reads the stat file of every thread on
/// Linux, and listing <c>/proc/self/fd</c> with <c>Directory</c> stats every descriptor, so both cost more for the
/// journal with more threads and files. Here RSS comes from <c>/proc/self/statm</c> and descriptors are only counted (readdir).
/// </summary>
internal sealed class ResourceSampler : IDisposable
{
    private readonly Timer _timer;
    private long _peakBytes;
    private int _peakHandles;

    public ResourceSampler()
    {
        Sample();
        _timer = new Timer(_ => Sample(), null, 100, 100);
    }

    public long PeakBytes { get { Sample(); return _peakBytes; } }
    public int PeakHandles { get { Sample(); return _peakHandles; } }

    /// <summary>The open descriptors: the entries of /proc/self/fd, less ".", ".." and the one open to list them.</summary>
    public static int OpenHandles()
    {
        if (!OperatingSystem.IsLinux())
            return -1;
        // readdir directly: .NET's directory enumeration stats every entry of /proc/self/fd (they are symlinks).
        IntPtr directory = opendir("/proc/self/fd");
        if (directory == IntPtr.Zero)
            return -1;
        int entries = 0;
        while (readdir(directory) != IntPtr.Zero)
            entries++;
        closedir(directory);
        return entries - 3;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern IntPtr opendir(string name);

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern IntPtr readdir(IntPtr directory);

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int closedir(IntPtr directory);

    private void Sample()
    {
        long bytes = Memory.ResidentBytes();
        int handles = OpenHandles();
        lock (this)
        {
            _peakBytes = Math.Max(_peakBytes, bytes);
            _peakHandles = Math.Max(_peakHandles, handles);
        }
    }

    public void Dispose() => _timer.Dispose();
}
