namespace MiniStore;

/// <summary>Options for opening and reading a log. The defaults are what most users want.</summary>
public sealed record MiniStoreOptions
{
    public static readonly MiniStoreOptions Default = new();

    /// <summary>Largest line accepted on append and on read (default 16 MiB); a longer line is reported, never loaded whole.</summary>
    public int MaxLineLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Permissions of files and directories this library creates on Unix (default: owner read/write only).</summary>
    public UnixFileMode FileMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Permissions of a directory this library creates for a log on Unix (default: owner only).</summary>
    public UnixFileMode DirectoryMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The sync calls; replace only to observe or fault them in tests.</summary>
    public IFileSync FileSync { get; init; } = OsFileSync.Instance;

    /// <summary>Called when opening a log repaired a torn tail, in addition to <see cref="MiniStoreLog.Repair"/>.</summary>
    public Action<TailRepair>? OnRepair { get; init; }

    /// <summary>Options for a file this library creates, with <see cref="FileMode"/> applied on Unix. Unbuffered: every write goes straight to the OS.</summary>
    internal FileStreamOptions NewFile(System.IO.FileMode mode, FileAccess access, FileShare share)
    {
        var fileOptions = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
            fileOptions.UnixCreateMode = FileMode;
        return fileOptions;
    }
}
