using MiniStore;

namespace Akka.Persistence.MiniStore;

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
