using System.Runtime.InteropServices;
using System.Text;
using MiniStore;

namespace Akka.Persistence.MiniStore;

/// <summary>
/// Makes one holder the owner of a store directory: a lock file in the directory, opened with an exclusive OS lock
/// (<c>flock(LOCK_EX)</c> on Unix, which .NET takes for <see cref="FileShare.None"/>; a sharing mode on Windows) and
/// held until <see cref="Dispose"/> or the end of the process, also a killed one: the OS drops the lock. A second
/// holder, in this process or another, gets <see cref="StoreLockedException"/> naming the directory and the owner the
/// lock file describes. The file itself stays behind (deleting it would let a late opener lock a file no one else sees).
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly FileStream _file;

    private StoreLock(string path, FileStream file)
    {
        Path = path;
        _file = file;
    }

    /// <summary>Full path of the lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// Locks <paramref name="fileName"/> in <paramref name="directory"/> (which must exist) and writes
    /// <paramref name="owner"/> into it, with this process's id, for whoever finds the directory taken.
    /// </summary>
    public static StoreLock Acquire(string directory, string fileName, string owner, MiniStoreOptions? options = null)
    {
        options ??= MiniStoreOptions.Default;
        directory = System.IO.Path.GetFullPath(directory);
        string path = System.IO.Path.Combine(directory, fileName);
        // Windows enforces sharing modes itself, so there others may still read who the owner is.
        var share = OperatingSystem.IsWindows() ? FileShare.Read : FileShare.None;
        if (new FileInfo(path).LinkTarget is not null)
            throw new IOException($"Lock file '{path}' is a symbolic link: MiniStore does not follow links, so that nothing outside its directory is changed");
        var fileOptions = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = share, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
            fileOptions.UnixCreateMode = options.FileMode;
        FileStream file;
        try
        {
            file = new FileStream(path, fileOptions);
        }
        catch (IOException e) when (IsHeldByOther(e))
        {
            throw new StoreLockedException(directory, path, ReadOwner(path), e);
        }
        try
        {
            var line = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new
            {
                pid = Environment.ProcessId,
                host = Environment.MachineName,
                owner,
                since = DateTime.UtcNow.ToString("O"),
            }) + "\n");
            file.SetLength(0);
            file.Write(line);
            file.Flush();
            return new StoreLock(path, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file.Dispose();

    // EWOULDBLOCK from flock (11 on Linux, 35 on macOS and BSD); ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION on Windows.
    private static bool IsHeldByOther(IOException e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException) &&
        (OperatingSystem.IsWindows() ? e.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021)
            : OperatingSystem.IsLinux() ? e.HResult == 11 : e.HResult == 35);

    /// <summary>What the owner wrote into the lock file, or null when it cannot be read.</summary>
    private static string? ReadOwner(string path)
    {
        try
        {
            byte[] bytes = OperatingSystem.IsWindows() ? ReadShared(path) : ReadWithoutLocking(path);
            string text = Encoding.UTF8.GetString(bytes).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[4096];
        return buffer.AsSpan(0, stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)).ToArray();
    }

    // .NET opens every file with flock(LOCK_SH) on Unix, which the owner's LOCK_EX refuses: read with libc directly.
    private static byte[] ReadWithoutLocking(string path)
    {
        int fd = open(path, 0 /* O_RDONLY */);
        if (fd < 0)
            throw new IOException($"open '{path}' failed (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            var buffer = new byte[4096];
            nint n = read(fd, buffer, buffer.Length);
            return n <= 0 ? [] : buffer[..(int)n];
        }
        finally
        {
            close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)] private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
    [DllImport("libc", SetLastError = true)] private static extern nint read(int fd, byte[] buffer, nint count);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
}

/// <summary>A store directory is owned by another holder (another process, or another actor system in this one).</summary>
public sealed class StoreLockedException : IOException
{
    public StoreLockedException(string directory, string lockPath, string? owner, Exception inner)
        : this(directory, lockPath, owner, OwnerRecord.Parse(owner), inner)
    {
    }

    private StoreLockedException(string directory, string lockPath, string? owner, OwnerRecord? record, Exception inner)
        : base($"MiniStore directory '{directory}' is already in use: its lock file '{lockPath}' is held by " +
               $"{record?.ToString() ?? owner ?? "an owner that did not write who it is"}. One process (one actor system) " +
               "owns a store directory at a time; stop the other owner or configure another directory.", inner)
    {
        Directory = directory;
        LockPath = lockPath;
        Owner = owner;
        OwnerProcessId = record?.Pid;
    }

    public string Directory { get; }
    public string LockPath { get; }
    /// <summary>The line the owner wrote into the lock file (JSON with pid, host, owner, since), or null.</summary>
    public string? Owner { get; }
    /// <summary>The owner's process id, when the lock file says it.</summary>
    public int? OwnerProcessId { get; }

    private sealed record OwnerRecord(int Pid, string? Host, string? Owner, string? Since)
    {
        public static OwnerRecord? Parse(string? line)
        {
            if (line is null) return null;
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(line);
                var root = json.RootElement;
                if (!root.TryGetProperty("pid", out var pid) || !pid.TryGetInt32(out int id))
                    return null;
                return new OwnerRecord(id, Text("host"), Text("owner"), Text("since"));

                string? Text(string name) => root.TryGetProperty(name, out var value) ? value.GetString() : null;
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                return null;
            }
        }

        public override string ToString() =>
            $"process {Pid}{(Pid == Environment.ProcessId ? " (this process)" : "")} on host '{Host}' ({Owner}, since {Since})";
    }
}
