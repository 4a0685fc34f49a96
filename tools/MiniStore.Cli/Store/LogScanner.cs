using MiniStore.Cli.Output;

namespace MiniStore.Cli.Store;

/// <summary>
/// Reads a whole log with the engine (<see cref="MiniStoreLog"/>), which checks every line's frame and checksum.
/// Unlike a replay it does not stop at the first damaged line: it reports it and reads on from the next line, so one
/// run lists every problem. It never writes.
/// </summary>
internal static class LogScanner
{
    /// <summary>The tool reads lines of any length the journal may have been configured to write.</summary>
    public static readonly MiniStoreOptions ReadOptions = new() { MaxLineLength = 1024 * 1024 * 1024 };

    /// <summary>
    /// Scans <paramref name="path"/>, passing each intact record to <paramref name="onRecord"/>, which may throw
    /// <see cref="CorruptLogException"/> to report the record as damage (the scan goes on with the next one).
    /// </summary>
    public static LogScan Scan(string path, Action<LogRecord, LogScan> onRecord, ScanProgress? progress = null)
    {
        var scan = new LogScan(path);
        try
        {
            Scan(scan, onRecord, progress);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            scan.Unreadable(e.Message);
        }
        scan.Finish();
        return scan;
    }

    private static void Scan(LogScan scan, Action<LogRecord, LogScan> onRecord, ScanProgress? progress)
    {
        MiniStoreLog log;
        try
        {
            log = MiniStoreLog.Open(scan.Path, ReadOptions, readOnly: true);
        }
        catch (CorruptLogException e)
        {
            // The last complete line is damaged: the engine opens no such log, as it cannot tell where the log ends.
            scan.Damage(e.LineNumber, e.Problem);
            DamagedEnd.ScanBefore(scan.Path, e.Offset, scan, onRecord, progress);
            return;
        }
        using (log)
        {
            scan.Opened(log);
            ReadAll(log, scan, onRecord, progress);
        }
    }

    /// <summary>Reads every record up to the log's committed end; a damaged line is reported and reading goes on after it.</summary>
    public static void ReadAll(MiniStoreLog log, LogScan scan, Action<LogRecord, LogScan> onRecord, ScanProgress? progress)
    {
        long offset = 0, lineNumber = 1;
        while (offset < log.Length)
        {
            try
            {
                foreach (var record in log.Read(offset, lineNumber))
                {
                    lineNumber = record.LineNumber + 1;
                    scan.Records++;
                    try
                    {
                        onRecord(record, scan);
                    }
                    catch (CorruptLogException e)
                    {
                        scan.Damage(record.LineNumber, e.Problem);
                    }
                    progress?.Advance(scan.Path, record.Offset);
                }
                offset = log.Length;
            }
            catch (CorruptLogException e)
            {
                scan.Damage(e.LineNumber, e.Problem);
                offset = NextLineStart(log.Path, e.Offset);
                lineNumber = e.LineNumber + 1;
            }
        }
        scan.EndLineNumber = lineNumber;
    }

    /// <summary>Offset just after the '\n' that ends the line starting at <paramref name="offset"/>, or <see cref="long.MaxValue"/> when there is none.</summary>
    private static long NextLineStart(string path, long offset)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[64 * 1024];
        for (long position = offset; ; position += buffer.Length)
        {
            int read = RandomAccess.Read(file, buffer, position);
            if (read == 0)
                return long.MaxValue;
            int newline = buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0)
                return position + newline + 1;
        }
    }
}

/// <summary>What <see cref="LogScanner"/> found in one file.</summary>
internal sealed class LogScan(string path)
{
    public string Path { get; } = path;
    /// <summary>False when the file could not be opened at all, or its end is damaged (what the engine reports on opening).</summary>
    public bool IsOpen { get; private set; }
    public long Records { get; set; }
    /// <summary>End of the last complete batch (<see cref="MiniStoreLog.Length"/>).</summary>
    public long Length { get; private set; }
    public TornTail? TornTail { get; private set; }
    /// <summary>The last record of the file when opened: the journal reads a log's highest sequence number from it.</summary>
    public LogRecord? LastRecordAtOpen { get; private set; }
    /// <summary>The line after the last one read: where the torn tail starts.</summary>
    public long EndLineNumber { get; set; } = 1;
    public List<Problem> Problems { get; } = new();
    public bool IsDamaged => Problems.Any(p => p.IsDamage);
    /// <summary>Set by each damaged line: a reader's checks of record order start again after it.</summary>
    public int Breaks { get; private set; }

    public void Opened(MiniStoreLog log)
    {
        IsOpen = true;
        Length = log.Length;
        TornTail = log.TornTail;
        LastRecordAtOpen = log.LastRecordAtOpen;
    }

    /// <summary>Damaged lines listed per file; a file that is not a log at all would otherwise list each of its lines.</summary>
    public const int MaxListedDamage = 20;
    private long _unlisted;

    public long DamagedLines { get; private set; }

    public void Damage(long lineNumber, string message)
    {
        Breaks++;
        if (++DamagedLines <= MaxListedDamage)
            Problems.Add(new Problem(ProblemKind.Damage, Path, lineNumber, message));
        else
            _unlisted++;
    }

    /// <summary>Adds what was found but not listed.</summary>
    public void Finish()
    {
        if (_unlisted > 0)
            Problems.Add(new Problem(ProblemKind.Damage, Path, 0, $"{_unlisted} more damaged lines are not listed (the first {MaxListedDamage} found are)"));
    }

    public void Note(long lineNumber, string message) => Problems.Add(new Problem(ProblemKind.Note, Path, lineNumber, message));

    public void Unreadable(string message) => Problems.Add(new Problem(ProblemKind.Damage, Path, 0, $"cannot be read: {message}"));
}
