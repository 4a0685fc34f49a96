using MiniStore.Cli.Output;
using System.Text.Json;

namespace MiniStore.Cli.Store;

/// <summary>
/// Reads a whole log with the engine's reader, checking every line's frame and checksum. Unlike opening the log, it
/// does not stop at the first damaged line: it reports it and goes on from the next line, so one run lists every
/// problem. It never writes.
/// </summary>
internal static class LogScanner
{
    /// <summary>The CLI reads lines of any length the journal may have been configured to write.</summary>
    public static readonly MiniStoreOptions ReadOptions = new() { MaxLineLength = 1024 * 1024 * 1024 };

    /// <summary>Scans <paramref name="path"/>, passing each intact record to <paramref name="onRecord"/>; returns the problems found.</summary>
    public static async Task<LogScan> ScanAsync(string path, Action<LogRecord, LogScan> onRecord, ScanProgress? progress = null, CancellationToken cancellationToken = default)
    {
        var scan = new LogScan(path);
        long offset = 0, lineNumber = 1;
        while (true)
        {
            using var reader = new LogReader(path, ReadOptions, offset, lineNumber);
            try
            {
                await foreach (var record in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    scan.Records++;
                    onRecord(record, scan);
                    progress?.Advance(path, record.Offset);
                }
                scan.CommittedLength = reader.CommittedLength;
                if (reader.Tail is { } tail)
                {
                    scan.TornTail = tail;
                    scan.Problems.Add(new Problem(ProblemKind.TornTail, path, tail.LineNumber, $"{tail.Reason}; {tail.Length} bytes from offset {tail.Offset} were never acknowledged (`ministore repair` removes them)"));
                }
                return scan;
            }
            catch (CorruptLogException e)
            {
                scan.Problems.Add(new Problem(ProblemKind.Damage, path, e.LineNumber, e.Problem));
                scan.Interrupted();
                long next = NextLineStart(path, e.Offset);
                if (next < 0)
                    return scan;
                offset = next;
                lineNumber = e.LineNumber + 1;
            }
        }
    }

    /// <summary>Offset just after the '\n' that ends the line starting at <paramref name="offset"/>, or -1 at end of file.</summary>
    private static long NextLineStart(string path, long offset)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[64 * 1024];
        for (long position = offset; ; position += buffer.Length)
        {
            int read = RandomAccess.Read(file, buffer, position);
            if (read == 0)
                return -1;
            int newline = buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                long next = position + newline + 1;
                return next < RandomAccess.GetLength(file) ? next : -1;
            }
        }
    }

    /// <summary>Reads a JSON property of a record, or null if the record has none.</summary>
    public static JsonElement? Property(in LogRecord record, string name)
    {
        using var json = JsonDocument.Parse(record.Json);
        return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var value) ? value.Clone() : null;
    }
}

/// <summary>What <see cref="LogScanner"/> found in one file.</summary>
internal sealed class LogScan(string path)
{
    public string Path { get; } = path;
    public long Records { get; set; }
    public long CommittedLength { get; set; }
    public TornTail? TornTail { get; set; }
    public List<Problem> Problems { get; } = new();
    public bool IsDamaged => Problems.Any(p => p.Kind == ProblemKind.Damage);

    /// <summary>Set when a damaged line broke the run of records, so continuity checks start again after it.</summary>
    public bool ContinuityBroken { get; set; }

    public void Interrupted() => ContinuityBroken = true;
}
