using System.Diagnostics;

namespace Akka.Persistence.MiniStore.Tests.Faults;

/// <summary>
/// Real faults from the operating system, which need root on Linux: a small tmpfs to fill (ENOSPC) and the immutable
/// flag (chattr +i), which denies writes even to root, for whom file mode bits mean nothing. Where a fault cannot be
/// made, <see cref="NoTmpfs"/> or <see cref="NoImmutableFlag"/> says why and the test reports that it checked nothing.
/// </summary>
internal static class FaultEnvironment
{
    /// <summary>Null when a small tmpfs can be mounted here (root on Linux), else why not.</summary>
    public static string? NoTmpfs { get; } = OperatingSystem.IsLinux() && IsRoot() ? null : "mounting a tmpfs needs root on Linux";

    /// <summary>
    /// Null when chattr +i works in the temporary directory and stops writes through a file already open (ext4 does,
    /// tmpfs does not), else why not.
    /// </summary>
    public static string? NoImmutableFlag { get; } = ProbeImmutable();

    private static bool IsRoot() => Run("id", "-u").Output.Trim() == "0";

    private static string? ProbeImmutable()
    {
        if (!OperatingSystem.IsLinux() || !IsRoot())
            return "chattr +i needs root on Linux";
        string probe = Path.Combine(Path.GetTempPath(), "ministore-tests", "chattr-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(probe)!);
        try
        {
            using var open = new FileStream(probe, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
            var result = Run("chattr", "+i", probe);
            if (result.ExitCode != 0)
                return $"chattr +i does not work in {Path.GetTempPath()}: {result.Output}";
            try
            {
                open.Write([1]);
                return $"the file system of {Path.GetTempPath()} lets a file opened before chattr +i be written";
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }
        finally
        {
            Run("chattr", "-i", probe);
            File.Delete(probe);
        }
    }

    /// <summary>Sets or clears the immutable flag of a file or directory: no write, no new entry, even for root.</summary>
    public static void Immutable(string path, bool on) => Check(Run("chattr", on ? "+i" : "-i", path), $"chattr on '{path}'");

    public static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program}: {e.Message}");
        }
    }

    public static void Check((int ExitCode, string Output) result, string what)
    {
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{what} failed ({result.ExitCode}): {result.Output}");
    }
}

/// <summary>A tmpfs of a fixed size on a fresh directory, filled on demand to make writes fail with ENOSPC.</summary>
internal sealed class SmallFileSystem : IDisposable
{
    private readonly string _filler;

    public SmallFileSystem(int kilobytes)
    {
        Path = MiniStoreSpec.NewDirectory();
        Directory.CreateDirectory(Path);
        FaultEnvironment.Check(FaultEnvironment.Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", Path), $"mount tmpfs on '{Path}'");
        _filler = System.IO.Path.Combine(Path, "filler");
    }

    public string Path { get; }

    /// <summary>Writes a filler file until the file system is full: every page is taken.</summary>
    public void Fill()
    {
        using var filler = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        var chunk = new byte[4096];
        try
        {
            while (true)
                filler.Write(chunk);
        }
        catch (IOException)
        {
            // ENOSPC: full
        }
    }

    /// <summary>Clears the fault: removes the filler.</summary>
    public void Free() => File.Delete(_filler);

    public void Dispose()
    {
        FaultEnvironment.Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
