using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// The calls that make bytes durable. Replaceable so that tests can observe (or withhold) every sync
/// and check that no append is acknowledged before its sync returned.
/// </summary>
public interface IFileSync
{
    /// <summary>Makes the file's written bytes and its size durable (fdatasync / FlushFileBuffers).</summary>
    void SyncFile(SafeFileHandle file);

    /// <summary>Makes the directory's entries durable (fsync on the directory), so a newly created or renamed file survives power loss.</summary>
    void SyncDirectory(string directory);
}

/// <summary>The operating system's own sync calls, made directly rather than through FileStream.Flush(true).</summary>
public sealed class OsFileSync : IFileSync
{
    public static readonly OsFileSync Instance = new();

    public void SyncFile(SafeFileHandle file)
    {
        if (OperatingSystem.IsWindows())
        {
            if (!FlushFileBuffers(file))
                throw new IOException("FlushFileBuffers failed", Marshal.GetHRForLastWin32Error());
            return;
        }
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            int fd = (int)file.DangerousGetHandle();
            int rc;
            do
            {
                // fdatasync also writes the file size, which replay needs; macOS has no fdatasync, so fsync there.
                rc = OperatingSystem.IsLinux() ? fdatasync(fd) : fsync(fd);
            } while (rc != 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (rc != 0)
                throw ErrnoException("fdatasync", Marshal.GetLastPInvokeError());
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    public void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
            return; // NTFS makes directory entries durable with the file's metadata; there is no directory handle to flush.
        int fd = open(directory, O_RDONLY | (OperatingSystem.IsLinux() ? O_DIRECTORY_LINUX : O_DIRECTORY_BSD));
        if (fd < 0)
            throw ErrnoException($"open directory '{directory}'", Marshal.GetLastPInvokeError());
        try
        {
            int rc;
            do { rc = fsync(fd); } while (rc != 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (rc != 0)
                throw ErrnoException($"fsync directory '{directory}'", Marshal.GetLastPInvokeError());
        }
        finally
        {
            close(fd);
        }
    }

    private static IOException ErrnoException(string call, int errno) =>
        new($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);

    private const int EINTR = 4;
    private const int O_RDONLY = 0;
    private const int O_DIRECTORY_LINUX = 0x10000;
    private const int O_DIRECTORY_BSD = 0x100000;

    [DllImport("libc", SetLastError = true)] private static extern int fsync(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int fdatasync(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
    [DllImport("kernel32", SetLastError = true)] private static extern bool FlushFileBuffers(SafeFileHandle file);
}

/// <summary>
/// Creates directories so that they survive power loss: a new directory is an entry in its parent, durable only once
/// the parent is fsync'd, so the parent of each directory created here is synced before this returns.
/// </summary>
public static class DurableDirectory
{
    /// <summary>Creates <paramref name="path"/> and any missing parents (with <paramref name="mode"/> on Unix, if given), syncing the parent of each.</summary>
    public static void Create(string path, IFileSync fileSync, UnixFileMode? mode = null)
    {
        path = Path.GetFullPath(path);
        if (Directory.Exists(path))
            return;
        string? parent = Path.GetDirectoryName(path);
        if (parent is not null)
            Create(parent, fileSync, mode);
        if (mode is { } unixMode && !OperatingSystem.IsWindows())
            Directory.CreateDirectory(path, unixMode);
        else
            Directory.CreateDirectory(path);
        if (parent is not null)
            fileSync.SyncDirectory(parent);
    }
}
