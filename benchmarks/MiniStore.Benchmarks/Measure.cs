using System.Diagnostics;

namespace MiniStore.Benchmarks;

/// <summary>One measured figure: the median of the repeated runs, and the process's peaks while they ran.</summary>
internal sealed record Result(double Median, IReadOnlyList<double> Runs, long PeakBytes, int PeakHandles, double AllocatedPerOp)
{
    /// <summary>Median over the runs of this rate divided by the ceiling's rate measured just before it; null without a ceiling.</summary>
    public double? PairedRatio { get; init; }
}

/// <summary>A raw-disk limit that is run right before each run of a scenario, so that the two see the same disk weather.</summary>
internal sealed record Ceiling(string Name, long Operations, Func<int, Task> Run);

/// <summary>Runs a scenario once to warm up (discarded), then <c>repeats</c> times, and reports the median.</summary>
internal static class Measure
{
    /// <summary>Operations per second; <paramref name="run"/> gets the run number (0 = warm-up) and returns the seconds to count, or null to count its whole duration.</summary>
    public static async Task<Result> RateAsync(string name, int repeats, long operations, Func<int, Task<double?>> run, Ceiling? ceiling = null)
    {
        var ratios = new List<double>();
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
            double seconds = await run(i) ?? watch.Elapsed.TotalSeconds;
            if (ceiling is not null && i > 0)
                ratios.Add(operations / seconds / ceilingRate);
            return operations / seconds;
        }, operations);
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

    /// <summary>Milliseconds of <paramref name="run"/> (lower is better).</summary>
    public static async Task<Result> MillisecondsAsync(string name, int repeats, Func<int, Task<double>> run)
    {
        var result = await RepeatAsync(repeats, run, 1);
        Print(name, result, "ms", "N1");
        return result;
    }

    private static async Task<Result> RepeatAsync(int repeats, Func<int, Task<double>> run, long operations)
    {
        await run(0); // warm-up: JIT, file system caches
        var values = new List<double>();
        using var sampler = new ResourceSampler();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 1; i <= repeats; i++)
            values.Add(await run(i));
        double allocatedPerOp = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)(operations * repeats);
        var sorted = values.OrderBy(v => v).ToList();
        return new Result(sorted[sorted.Count / 2], values, sampler.PeakBytes, sampler.PeakHandles, allocatedPerOp);
    }

    private static void Print(string name, Result result, string unit, string format) =>
        Console.WriteLine($"  {name,-62} {result.Median.ToString(format),12} {unit,-3} (runs: {string.Join(", ", result.Runs.Select(r => r.ToString(format)))}; peak {result.PeakBytes / 1048576.0:N0} MB, {result.PeakHandles} fds)");
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
    private static readonly long PageSize = Environment.SystemPageSize;
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

    private static long ResidentBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }
        // statm: "size resident shared text lib data dt", in pages.
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1]) * PageSize;
    }

    private void Sample()
    {
        long bytes = ResidentBytes();
        int handles = OpenHandles();
        lock (this)
        {
            _peakBytes = Math.Max(_peakBytes, bytes);
            _peakHandles = Math.Max(_peakHandles, handles);
        }
    }

    public void Dispose() => _timer.Dispose();
}
