using System.Runtime.InteropServices;
using System.Text;
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
            if (!LogFile.FlushFileBuffers(file))
                throw new IOException("FlushFileBuffers failed", Marshal.GetHRForLastWin32Error());
            return;
        }
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            // fdatasync also writes the file size, which replay needs; macOS has no fdatasync, so fsync there.
            int fd = (int)file.DangerousGetHandle();
            LogFile.Check(LogFile.Retry(() => OperatingSystem.IsLinux() ? LogFile.fdatasync(fd) : LogFile.fsync(fd)), "fdatasync", null);
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
        int fd = LogFile.Check(LogFile.open(directory, 0 /* O_RDONLY */, 0), "open directory", directory);
        try
        {
            LogFile.Check(LogFile.Retry(() => LogFile.fsync(fd)), "fsync directory", directory);
        }
        finally
        {
            LogFile.close(fd);
        }
    }
}

/// <summary>A log path leads to a symbolic link, a directory or another non-regular file, which MiniStore never opens as a log.</summary>
public sealed class NotARegularFileException(string path, string what)
    : IOException($"'{path}' is {what}, not a regular file: MiniStore neither follows links nor opens anything else as a log, so that nothing outside its directory is read or changed")
{
    public string FilePath { get; } = path;
}

/// <summary>
/// How the engine opens a file: never through a symbolic link (O_NOFOLLOW) and only if it is a regular file, so a
/// log path that was replaced by a link, a directory or a device is refused naming what is there, and nothing outside
/// the directory is ever read, cut or written. Also the check that a log's name still leads to its file.
/// </summary>
internal static class LogFile
{
    /// <summary>What is at <paramref name="path"/> itself (a link is not followed): null when nothing, else a description when it is not a regular file, else "".</summary>
    public static string? Entry(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            var info = new FileInfo(path);
            return info.LinkTarget is not null ? "a symbolic link" : Directory.Exists(path) ? "a directory" : info.Exists ? "" : null;
        }
        var buffer = new byte[256]; // struct statx, the same on every Linux architecture
        int rc = statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, buffer);
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is ENOENT or ENOTDIR ? null : throw Error(errno, "stat", path);
        }
        return (BitConverter.ToUInt16(buffer, 28) & 0xF000) switch
        {
            0x8000 => "",
            0xA000 => "a symbolic link",
            0x4000 => "a directory",
            0x1000 => "a named pipe",
            0xC000 => "a socket",
            _ => "a device",
        };
    }

    /// <summary>
    /// Opens an existing regular file, or creates one (<paramref name="create"/>), for reading and, unless
    /// <paramref name="readOnly"/>, writing; <paramref name="created"/> says whether the file is new (its directory entry is then the caller's to sync).
    /// </summary>
    public static SafeFileHandle Open(string path, bool readOnly, bool create, MiniStoreOptions options, out bool created)
    {
        string? entry = Entry(path);
        if (entry is { Length: > 0 })
            throw new NotARegularFileException(path, entry);
        created = entry is null && create;
        if (!OperatingSystem.IsLinux())
        {
            var handle = File.OpenHandle(path, create ? FileMode.OpenOrCreate : FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            if (created && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(handle, options.FileMode);
            return handle;
        }
        int flags = (readOnly ? Flags.ReadOnly : Flags.ReadWrite) | (create ? Flags.Create : 0) | Flags.NoFollow | Flags.CloseOnExec | Flags.LargeFile;
        int fd = Retry(() => open(path, flags, (int)options.FileMode));
        return new SafeFileHandle(Check(fd, readOnly ? "open for reading" : "open for writing", path), ownsHandle: true);
    }

    /// <summary>A log's name, checked after every write of a log: bytes written to a file whose name was removed (or whose directory moved away) are durable nowhere anyone will look.</summary>
    public sealed class Name(string fullPath)
    {
        private readonly byte[] _nulTerminatedUtf8 = Encoding.UTF8.GetBytes(fullPath + "\0");

        public bool Exists() => OperatingSystem.IsWindows() ? File.Exists(fullPath) : access(_nulTerminatedUtf8, 0) == 0;
    }

    internal static int Retry(Func<int> call)
    {
        int rc;
        do { rc = call(); } while (rc < 0 && Marshal.GetLastPInvokeError() == EINTR);
        return rc;
    }

    internal static int Check(int rc, string call, string? path) => rc >= 0 ? rc : throw Error(Marshal.GetLastPInvokeError(), call, path);

    /// <summary>An error of a system call, with the errno as HResult (as .NET's own file errors on Unix) so callers can tell "disk full" or "too many open files".</summary>
    private static IOException Error(int errno, string call, string? path) => errno switch
    {
        ENOENT when path is not null => new FileNotFoundException($"{call} '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", path) { HResult = errno },
        ELOOP when path is not null => new NotARegularFileException(path, "a symbolic link"),
        _ => new IOException($"{call}{(path is null ? "" : $" '{path}'")} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno),
    };

    /// <summary>Linux open(2) flags; arm and arm64 number the no-follow flag differently from x86, and 32-bit needs large-file opens.</summary>
    private static class Flags
    {
        private static readonly bool Arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64;
        public const int ReadOnly = 0, ReadWrite = 2, Create = 0x40, CloseOnExec = 0x80000;
        public static readonly int NoFollow = Arm ? 0x8000 : 0x20000;
        public static readonly int LargeFile = IntPtr.Size == 4 ? (Arm ? 0x20000 : 0x8000) : 0;
    }

    private const int EINTR = 4, ENOENT = 2, ENOTDIR = 20, ELOOP = 40;
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, STATX_TYPE = 1;

    [DllImport("libc", SetLastError = true)] internal static extern int fsync(int fd);
    [DllImport("libc", SetLastError = true)] internal static extern int fdatasync(int fd);
    [DllImport("libc", SetLastError = true)] internal static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
    [DllImport("libc", SetLastError = true)] internal static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int access(byte[] path, int mode);
    [DllImport("libc", SetLastError = true)] private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    [DllImport("kernel32", SetLastError = true)] internal static extern bool FlushFileBuffers(SafeFileHandle file);
}
