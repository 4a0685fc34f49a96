using System.Diagnostics;

namespace MiniStore.Cli.Tests;

/// <summary>
/// Makes a directory read-only for this process, as a read-only mount or missing permissions make it: by its mode for
/// an ordinary user, and by the immutable attribute (chattr +i) for root, whom modes do not stop. <see cref="Create"/>
/// returns null when neither works here (then the test is skipped, saying so).
/// </summary>
internal sealed class ReadOnlyDirectory : IDisposable
{
    private readonly string _path;
    private readonly bool _immutable;
    private readonly UnixFileMode _mode;

    private ReadOnlyDirectory(string path, bool immutable, UnixFileMode mode) => (_path, _immutable, _mode) = (path, immutable, mode);

    public static ReadOnlyDirectory? Create(string path)
    {
        if (OperatingSystem.IsWindows())
            return null;
        var mode = File.GetUnixFileMode(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        if (!CanWrite(path))
            return new ReadOnlyDirectory(path, immutable: false, mode);
        File.SetUnixFileMode(path, mode);
        if (Chattr("+i", path) && !CanWrite(path))
            return new ReadOnlyDirectory(path, immutable: true, mode);
        Chattr("-i", path);
        return null;
    }

    private static bool CanWrite(string directory)
    {
        string probe = Path.Combine(directory, ".probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool Chattr(string flag, string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no chattr
        }
    }

    public void Dispose()
    {
        if (_immutable)
            Chattr("-i", _path);
        File.SetUnixFileMode(_path, _mode);
    }
}
