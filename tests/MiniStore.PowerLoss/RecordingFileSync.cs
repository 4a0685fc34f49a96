using Microsoft.Win32.SafeHandles;

namespace MiniStore.PowerLoss;

/// <summary>One thing that happened in a recorded workload, in the order it happened.</summary>
public abstract record Step;

/// <summary>A file sync of the file with inode <see cref="Inode"/> returned: <see cref="Content"/> is durable (null when the handle could not be read back).</summary>
public sealed record FileSynced(string Path, ulong Inode, byte[]? Content) : Step;

/// <summary>A directory sync returned: the entries it found at that moment (name to inode) are durable.</summary>
public sealed record DirectorySynced(string Directory, IReadOnlyDictionary<string, ulong> Entries) : Step;

/// <summary>The workload told its caller that <see cref="Record"/> (a record's JSON) is stored in <see cref="Path"/>.</summary>
public sealed record Acknowledged(string Path, string Record) : Step;

/// <summary>Which sync calls a recording leaves out, to show what a power loss would do to an engine that skipped them.</summary>
public enum Omit { Nothing, FileSyncs, DirectorySyncs }

/// <summary>
/// An <see cref="IFileSync"/> that records, after each call returned, what that call made durable: the whole content
/// of a synced file, the entries (names and inodes) of a synced directory. With the acknowledgements the workload
/// adds (<see cref="Acknowledge"/>) and the files under the root when recording started, that is everything
/// <see cref="PowerLossModel"/> needs. Files are followed by inode, so a file synced under a temporary name and then
/// renamed keeps its content. Linux only: a handle's path and inode come from /proc/self/fd and fdinfo.
/// </summary>
public sealed class RecordingFileSync : IFileSync
{
    private readonly IFileSync _inner;
    private readonly Omit _omit;
    private readonly List<Step> _steps = new();

    /// <summary>Starts recording; <paramref name="root"/> (which must exist) and everything under it count as already durable.</summary>
    public RecordingFileSync(string root, IFileSync? inner = null, Omit omit = Omit.Nothing)
    {
        _inner = inner ?? OsFileSync.Instance;
        _omit = omit;
        Root = Path.GetFullPath(root);
        Initial = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).ToDictionary(p => p, p => (Inode.Of(p), File.ReadAllBytes(p)));
        InitialDirectories = Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories).Append(Root).ToHashSet();
    }

    public static bool IsSupported => OperatingSystem.IsLinux();

    public string Root { get; }
    public IReadOnlyDictionary<string, (ulong Inode, byte[] Content)> Initial { get; }
    public IReadOnlySet<string> InitialDirectories { get; }

    public IReadOnlyList<Step> Steps { get { lock (_steps) return _steps.ToList(); } }

    public void Acknowledge(string path, string record) => Add(new Acknowledged(Path.GetFullPath(path), record));

    public void SyncFile(SafeFileHandle file)
    {
        if (_omit == Omit.FileSyncs)
            return;
        _inner.SyncFile(file);
        Add(new FileSynced(PathOf(file), Inode.Of(file), ReadAll(file)));
    }

    public void SyncDirectory(string directory)
    {
        if (_omit == Omit.DirectorySyncs)
            return;
        _inner.SyncDirectory(directory);
        directory = Path.GetFullPath(directory);
        Add(new DirectorySynced(directory, Directory.EnumerateFileSystemEntries(directory).ToDictionary(p => Path.GetFileName(p), Inode.Of)));
    }

    private void Add(Step step)
    {
        lock (_steps) _steps.Add(step);
    }

    private static string PathOf(SafeFileHandle file) => new FileInfo($"/proc/self/fd/{file.DangerousGetHandle()}").LinkTarget
        ?? throw new InvalidOperationException("cannot map a file handle to its path");

    private static byte[]? ReadAll(SafeFileHandle file)
    {
        try
        {
            var content = new byte[RandomAccess.GetLength(file)];
            int read = 0;
            while (read < content.Length)
                read += RandomAccess.Read(file, content.AsSpan(read), read);
            return content;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException or NotSupportedException)
        {
            // A write-only handle (the .broken copy of a torn tail, a compaction's copy): read the same inode anew.
            // open(2) directly: .NET would take a shared flock, refused while the writer holds FileShare.None's exclusive one.
            int fd = open(PathOf(file), 0 /* O_RDONLY */);
            if (fd < 0)
                return null;
            try
            {
                var content = new byte[RandomAccess.GetLength(file)];
                int read = 0, n;
                while (read < content.Length && (n = (int)pread(fd, ref content[read], content.Length - read, read)) > 0)
                    read += n;
                return read == content.Length ? content : null;
            }
            finally
            {
                close(fd);
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] private static extern int open([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, int flags);
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] private static extern nint pread(int fd, ref byte buffer, nint count, long offset);
    [System.Runtime.InteropServices.DllImport("libc")] private static extern int close(int fd);
}
