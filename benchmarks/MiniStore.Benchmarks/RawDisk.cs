using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MiniStore.Benchmarks;

/// <summary>The physical limits: 200-byte lines appended with plain writes and fdatasync, nothing else.</summary>
internal static class RawDisk
{
    private static readonly byte[] Line = Encoding.UTF8.GetBytes(new string('x', 199) + "\n");

    /// <summary>One file: write a line, fdatasync, repeat.</summary>
    public static void FsyncLoop(string path, int lines, int linesPerSync = 1)
    {
        using var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        long position = 0;
        for (int i = 0; i < lines; i += linesPerSync)
        {
            position += WriteLines(file, linesPerSync, position);
            OsFileSync.Instance.SyncFile(file);
        }
    }

    /// <summary>Writes <paramref name="count"/> 200-byte lines at <paramref name="position"/> with one call; returns the bytes written.</summary>
    public static long WriteLines(SafeFileHandle file, int count, long position)
    {
        if (count == 1)
            RandomAccess.Write(file, Line, position);
        else
            RandomAccess.Write(file, Enumerable.Repeat((ReadOnlyMemory<byte>)Line, count).ToArray(), position);
        return (long)Line.Length * count;
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
                        WriteLines(handles[f], 1, (long)i * Line.Length);
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
