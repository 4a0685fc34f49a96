namespace MiniStore;

/// <summary>
/// Removes a log's dead prefix: the bytes from <c>cutOffset</c> to the end are written to <c>&lt;log&gt;.compacting</c>,
/// fsync'd, renamed over the log (atomic on POSIX and NTFS), and the directory is fsync'd. Whenever the process or the
/// machine stops, the log's name holds either the whole old file or the whole new one; a left-over
/// <c>.compacting</c> file is never read, and <see cref="RemoveLeftover"/> deletes it. Lines are copied byte for byte,
/// so their checksums stay valid. The caller must be the log's only writer and have closed it.
/// </summary>
public static class LogCompactor
{
    public const string TemporaryExtension = ".compacting";

    /// <summary>The steps, in order, for tests that stop the process at each of them.</summary>
    public enum Step { TemporaryWritten, TemporarySynced, Renamed, DirectorySynced }

    /// <summary>Copies <paramref name="path"/> from <paramref name="cutOffset"/> on into a new file that replaces it. Returns the bytes removed.</summary>
    public static async Task<long> DropPrefixAsync(string path, long cutOffset, MiniStoreOptions? options = null, Action<Step>? afterStep = null, CancellationToken cancellationToken = default)
    {
        options ??= MiniStoreOptions.Default;
        string temporary = path + TemporaryExtension;
        long oldLength;
        await using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true))
        {
            oldLength = source.Length;
            if (cutOffset <= 0 || cutOffset > oldLength)
                throw new ArgumentOutOfRangeException(nameof(cutOffset), $"cut at {cutOffset} is not within '{path}' ({oldLength} bytes)");
            // The new log must start with a whole line: the byte before the cut ends the last removed line.
            source.Position = cutOffset - 1;
            if (source.ReadByte() != '\n')
                throw new ArgumentOutOfRangeException(nameof(cutOffset), $"cut at {cutOffset} of '{path}' is not at the start of a line; nothing was changed");
            await using var target = new FileStream(temporary, options.NewFile(FileMode.Create, FileAccess.Write, FileShare.None));
            await source.CopyToAsync(target, 1 << 16, cancellationToken).ConfigureAwait(false);
            afterStep?.Invoke(Step.TemporaryWritten);
            options.FileSync.SyncFile(target.SafeFileHandle);
            afterStep?.Invoke(Step.TemporarySynced);
        }
        File.Move(temporary, path, overwrite: true);
        afterStep?.Invoke(Step.Renamed);
        options.FileSync.SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        afterStep?.Invoke(Step.DirectorySynced);
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
