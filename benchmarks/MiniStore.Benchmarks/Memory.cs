using System.Diagnostics;

namespace MiniStore.Benchmarks;

/// <summary>
/// The process's memory and threads as the kernel counts them, read cheaply: RSS from <c>/proc/self/statm</c>
/// (<c>Process.WorkingSet64</c> reads the stat file of every thread), its anonymous and file-backed parts from
/// <c>/proc/self/status</c>, thread names from <c>/proc/self/task/*/comm</c>.
/// </summary>
internal static class Memory
{
    private static readonly long PageSize = Environment.SystemPageSize;

    public static long ResidentBytes()
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

    /// <summary>Resident MB.</summary>
    public static double Resident() => ResidentBytes() / 1048576.0;

    /// <summary>Resident MB that is the process's own (heaps, stacks, JIT code) and that maps files (assemblies, native libraries), which a device may share or drop.</summary>
    public static (double Anonymous, double Files) AnonymousAndFiles()
    {
        if (!OperatingSystem.IsLinux())
            return (0, 0);
        double Field(string[] lines, string name) =>
            long.Parse(lines.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim().Split(' ')[0]) / 1024.0;
        var status = File.ReadAllLines("/proc/self/status");
        return (Field(status, "RssAnon"), Field(status, "RssFile"));
    }

    /// <summary>The name of each of the process's threads.</summary>
    public static string[] ThreadNames() => !OperatingSystem.IsLinux() ? [] :
        Directory.GetDirectories("/proc/self/task").Select(task =>
        {
            try { return File.ReadAllText(Path.Combine(task, "comm")).Trim(); }
            catch (IOException) { return "(ended)"; }
        }).ToArray();
}
