using MiniStore.Cli.Output;

namespace MiniStore.Cli.Store;

/// <summary>
/// The lines before a damaged end. The engine opens no log whose last complete line is damaged (it cannot tell where
/// the log ends, and it will not guess), and it reads a log only through an open handle on the file itself. To still
/// check every line before the damage, as verify promises, the part before it is copied to a private temporary file
/// and read there with the same engine; line numbers and offsets are the same as in the log. Only a log with a damaged
/// end costs a copy. If the copy ends in damage too, it is reported and the copy cut back before it, until the engine
/// opens it.
/// </summary>
internal static class DamagedEnd
{
    public static void ScanBefore(string path, long damageOffset, LogScan scan, Action<LogRecord, LogScan> onRecord, ScanProgress? progress)
    {
        if (damageOffset == 0)
            return;
        string copy = Path.Combine(Path.GetTempPath(), $"ministore-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl");
        try
        {
            try
            {
                Copy(path, copy, damageOffset);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                scan.Note(0, $"the lines before the damage at byte offset {damageOffset} were not checked: they could not be copied to '{copy}' to be read ({e.Message})");
                return;
            }
            for (long end = damageOffset; end > 0;)
            {
                if (scan.DamagedLines >= LogScan.MaxListedDamage)
                {
                    scan.Note(0, $"the lines before byte offset {end} were not checked: the file ends in more than {LogScan.MaxListedDamage} damaged lines (is it a MiniStore log?)");
                    return;
                }
                try
                {
                    using var log = MiniStoreLog.Open(copy, LogScanner.ReadOptions, readOnly: true);
                    // An unfinished batch before the damage is part of the damaged batch: reported with it, not as a torn tail.
                    LogScanner.ReadAll(log, scan, onRecord, progress);
                    return;
                }
                catch (CorruptLogException e)
                {
                    scan.Damage(e.LineNumber, e.Problem);
                    end = e.Offset;
                    using var file = File.OpenHandle(copy, FileMode.Open, FileAccess.ReadWrite);
                    RandomAccess.SetLength(file, end);
                }
            }
        }
        finally
        {
            try { File.Delete(copy); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Copies the first <paramref name="length"/> bytes of <paramref name="from"/> into a new file only the owner can read.</summary>
    private static void Copy(string from, string to, long length)
    {
        using var source = File.OpenHandle(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var target = new FileStream(to, options);
        var buffer = new byte[1024 * 1024];
        for (long position = 0; position < length;)
        {
            int read = RandomAccess.Read(source, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - position)), position);
            if (read == 0)
                throw new IOException($"'{from}' became shorter than {length} bytes while it was read");
            target.Write(buffer, 0, read);
            position += read;
        }
    }
}
