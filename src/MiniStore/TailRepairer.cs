using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// Cuts a torn tail off a log, the only repair the engine ever makes. The bytes are first copied to a
/// <c>&lt;log&gt;.&lt;time&gt;.broken</c> file beside the log and made durable, so the repair loses nothing a person
/// might want back.
/// </summary>
internal static class TailRepairer
{
    internal static TailRepair Repair(string path, SafeFileHandle file, long tailOffset, string reason, MiniStoreOptions options)
    {
        long length = RandomAccess.GetLength(file);
        var torn = new byte[length - tailOffset];
        int read = 0;
        while (read < torn.Length)
        {
            int n = RandomAccess.Read(file, torn.AsSpan(read), tailOffset + read);
            if (n == 0) break;
            read += n;
        }

        string brokenPath = $"{path}.{DateTime.UtcNow:yyyyMMdd'T'HHmmss'.'fffffff'Z'}.broken";
        using (var copy = new FileStream(brokenPath, options.NewFile(FileMode.CreateNew, FileAccess.Write, FileShare.None)))
        {
            copy.Write(torn, 0, read);
            options.FileSync.SyncFile(copy.SafeFileHandle);
        }
        options.FileSync.SyncDirectory(Path.GetDirectoryName(path)!);

        RandomAccess.SetLength(file, tailOffset);
        options.FileSync.SyncFile(file);
        return new TailRepair(path, tailOffset, read, reason, brokenPath);
    }
}
