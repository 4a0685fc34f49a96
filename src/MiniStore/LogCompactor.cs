namespace MiniStore;

/// <summary>
/// Removes a log's dead prefix: the bytes from a cut offset to the end are copied to <c>&lt;log&gt;.compacting</c>,
/// fsync'd, renamed over the log (atomic on POSIX and NTFS), and the directory is fsync'd. Whenever the process or the
/// machine stops, the log's name holds either the whole old file or the whole new one; a left-over
/// <c>.compacting</c> file is never read, and <see cref="RemoveLeftover"/> deletes it. Lines are copied byte for byte,
/// so their checksums stay valid.
/// </summary>
public static class LogCompactor
{
    public const string TemporaryExtension = ".compacting";

    /// <summary>
    /// Replaces <paramref name="log"/>'s file with a copy of its bytes from <paramref name="cutOffset"/> (where a line
    /// starts) to its committed end, read on its own handle; a torn tail is cut first, its bytes kept as
    /// <see cref="MiniStoreLog.RepairTail"/> keeps them. The caller is the log's only user and disposes
    /// <paramref name="log"/> afterwards (its handle still reads the old file), then opens the new one. Returns the bytes removed.
    /// </summary>
    public static long DropPrefix(MiniStoreLog log, long cutOffset)
    {
        log.RefuseReadOnly("compact it");
        if (cutOffset <= 0 || cutOffset > log.Length)
            throw new ArgumentOutOfRangeException(nameof(cutOffset), $"cut at {cutOffset} is not within '{log.Path}' ({log.Length} bytes)");
        Span<byte> before = stackalloc byte[1];
        if (RandomAccess.Read(log.Handle, before, cutOffset - 1) != 1 || before[0] != '\n')
            throw new ArgumentOutOfRangeException(nameof(cutOffset), $"cut at {cutOffset} of '{log.Path}' is not at the start of a line; nothing was changed");
        log.RepairTail();
        string temporary = log.Path + TemporaryExtension;
        RemoveLeftover(log.Path);
        log.CopyTo(temporary, cutOffset, log.Length);
        File.Move(temporary, log.Path, overwrite: true);
        log.Options.FileSync.SyncDirectory(Path.GetDirectoryName(log.Path)!);
        return cutOffset;
    }

    /// <summary>Deletes the <c>.compacting</c> file a compaction stopped before its rename left beside <paramref name="path"/>; true if there was one.</summary>
    public static bool RemoveLeftover(string path)
    {
        string temporary = path + TemporaryExtension;
        if (!File.Exists(temporary))
            return false;
        File.Delete(temporary);
        return true;
    }
}
