using System.Diagnostics;
using System.Globalization;

namespace MiniStore.Benchmarks;

/// <summary>
/// A simulated slow disk (an SD card's fsync takes several ms): with <c>--sync-delay MS</c> the benchmark starts itself
/// again under <c>strace -f --seccomp-bpf -e inject=fsync,fdatasync:delay_enter=MS</c>, so that every fsync and
/// fdatasync system call of the process and of every process it starts is held MS ms before the kernel runs it. It acts
/// on the system call itself, so it slows every caller alike: MiniStore's P/Invoke into libc, .NET's own FileStream
/// flushes and SQLite's native code. With <c>--seccomp-bpf</c> only those two calls stop the process at all (no cost
/// on the others); each delayed call costs about 0.1-0.6 ms more than asked, measured here. Calls on different threads
/// are delayed side by side, as a device with a command queue would serve them.
/// <para>
/// Not the alternatives: an LD_PRELOAD shim that sleeps in fsync/fdatasync catches SQLite's calls but not MiniStore's:
/// .NET resolves <c>[DllImport("libc")]</c> with dlsym on libc's own handle, which never looks in preloaded libraries
/// (checked here with a counting shim), so it would slow only one journal. A dm-delay device (device mapper over a loop
/// device) slows the block device itself, but this machine's kernel has no device mapper (/dev/mapper/control: No such device).
/// </para>
/// </summary>
internal static class SlowDisk
{
    private const string Variable = "MINISTORE_BENCH_SYNC_DELAY_MS";

    /// <summary>The delay asked for on the command line, in ms.</summary>
    public static double? Requested(CommandLine commandLine) =>
        commandLine.Option("sync-delay") is { } ms ? double.Parse(ms, CultureInfo.InvariantCulture) : null;

    /// <summary>The delay this process runs under (it and the children it starts), in ms; null on the real disk.</summary>
    public static string? Milliseconds => Environment.GetEnvironmentVariable(Variable);

    public static bool Active => Milliseconds is not null;

    /// <summary>A line for the report, or null on the real disk.</summary>
    public static string? Description => Milliseconds is { } ms
        ? $"simulated slow disk: every fsync/fdatasync held {ms} ms before it runs (strace syscall injection, SlowDisk.cs)"
        : null;

    /// <summary>Runs the benchmark again with the same arguments under the delay; returns its exit code.</summary>
    public static int RunSelfUnderDelay(double milliseconds, string[] args)
    {
        var self = SelfProcess.StartInfo(args);
        var strace = new ProcessStartInfo("strace") { UseShellExecute = false };
        foreach (var arg in new[] { "-f", "--seccomp-bpf", "-qq", "-o", "/dev/null", "-e", "trace=fsync,fdatasync",
                     "-e", $"inject=fsync,fdatasync:delay_enter={(long)(milliseconds * 1000)}us", "--", self.FileName })
            strace.ArgumentList.Add(arg);
        foreach (var arg in self.ArgumentList)
            strace.ArgumentList.Add(arg);
        strace.Environment[Variable] = milliseconds.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var process = Process.Start(strace)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"--sync-delay needs strace (apt-get install strace): {e.Message}");
            return 2;
        }
    }
}
