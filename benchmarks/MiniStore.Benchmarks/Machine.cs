namespace MiniStore.Benchmarks;

/// <summary>The one line that names the machine a result comes from: every printed table and chart carries it.</summary>
internal static class Machine
{
    public static string Line(string directory) =>
        $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {CpuModel()}, file system of {directory}: {FileSystemOf(directory)}, load average {LoadAverage()}" +
        (SlowDisk.Description is { } slow ? $"; {slow}" : "");

    /// <summary>A short form for a chart's subtitle: the machine, then how busy it was and the simulated disk, on a line of their own.</summary>
    public static string Short(string directory) =>
        $"{Environment.ProcessorCount} cores, {CpuModel()}, {FileSystemOf(directory).Split(' ')[0]} on {Environment.OSVersion}, .NET {Environment.Version}\n" +
        $"load average {LoadAverage().Split(' ')[0]} at the end (a shared machine)" +
        (SlowDisk.Milliseconds is { } ms ? $"; every fsync +{ms} ms (simulated slow disk)" : "");

    private static string CpuModel()
    {
        if (!OperatingSystem.IsLinux()) return "?";
        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return model is null ? "?" : model[(model.IndexOf(':') + 1)..].Trim();
    }

    private static string LoadAverage() => OperatingSystem.IsLinux() ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string FileSystemOf(string path)
    {
        if (!OperatingSystem.IsLinux()) return "?";
        var full = Path.GetFullPath(path);
        var mount = File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')).Where(f => f.Length > 2 && full.StartsWith(f[1], StringComparison.Ordinal))
            .MaxBy(f => f[1].Length);
        return mount is null ? "?" : $"{mount[2]} on {mount[0]} ({mount[1]})";
    }
}
