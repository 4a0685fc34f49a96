using System.Text;

namespace MiniStore.Benchmarks;

/// <summary>The physical limits: 200-byte lines appended with plain writes and fdatasync, nothing else.</summary>
internal static class RawDisk
{
    private static readonly byte[] Line = Encoding.UTF8.GetBytes(new string('x', 199) + "\n");

    /// <summary>One file: write a line, fdatasync, repeat.</summary>
    public static void FsyncLoop(string path, int lines, int linesPerSync = 1)
    {
        using var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        var batch = Enumerable.Repeat((ReadOnlyMemory<byte>)Line, linesPerSync).ToArray();
        long position = 0;
        for (int i = 0; i < lines; i += linesPerSync)
        {
            RandomAccess.Write(file, batch, position);
            position += Line.Length * linesPerSync;
            OsFileSync.Instance.SyncFile(file);
        }
    }

    /// <summary><paramref name="files"/> files, written by <paramref name="threads"/> threads, each line fdatasync'd on its own.</summary>
    public static void ParallelFsync(string directory, int files, int threads, int linesPerFile)
    {
        Directory.CreateDirectory(directory);
        var handles = Enumerable.Range(0, files).Select(i => File.OpenHandle(Path.Combine(directory, $"f{i}.txt"), FileMode.Create, FileAccess.Write)).ToArray();
        try
        {
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                // Thread t owns files t, t+threads, ...; it round-robins over them so every file gets linesPerFile lines.
                var mine = Enumerable.Range(0, files).Where(f => f % threads == t).ToArray();
                for (int i = 0; i < linesPerFile; i++)
                    foreach (int f in mine)
                    {
                        RandomAccess.Write(handles[f], Line, (long)i * Line.Length);
                        OsFileSync.Instance.SyncFile(handles[f]);
                    }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
        }
        finally
        {
            foreach (var h in handles) h.Dispose();
        }
    }
}
