using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// The end of a log, read backwards from the end of the file: where its last complete batch ends, that batch's last
/// record, and what follows it if the end is torn. It reads only the last lines, so it costs the same for any log
/// length; damage further back is found by whoever reads that far (<see cref="LogReader"/> reports it).
/// Every acknowledged batch ends with a '\n' that was fsync'd before the acknowledgement, so:
/// <list type="bullet">
/// <item>bytes after the last '\n' were never acknowledged, whatever they are: a torn tail;</item>
/// <item>a damaged last line with its '\n' is a torn tail when a crash can leave it so (it starts like a line, or with
/// zeros a power loss left), and damage otherwise (it starts like no log line, or it is whole, well-formed JSON with a
/// wrong checksum: an edit or bit rot);</item>
/// <item>the lines of a batch whose last line is missing are a torn tail too; a damaged line before them is damage.</item>
/// </list>
/// </summary>
internal sealed record LogTail(long CommittedLength, LogRecord? LastRecord, TornTail? Torn)
{
    public static LogTail Read(SafeFileHandle file, string path, int maxLineLength)
    {
        long length = RandomAccess.GetLength(file);
        if (length == 0)
            return new LogTail(0, null, null);
        var lines = new LineLocator(file, path, length, maxLineLength);

        string? torn = null;
        long end = length;
        Span<byte> lastByte = stackalloc byte[1];
        if (RandomAccess.Read(file, lastByte, length - 1) == 1 && lastByte[0] != '\n')
        {
            // Found without the line limit: a power loss can leave a whole large write (many lines) as zeros.
            end = lines.LineStartBefore(length);
            torn = $"last line has no line break ({length - end} bytes): the write was cut short";
        }
        else if (lines.LineContaining(length - 1) is var last && LineFormat.Decode(last.Content.Span) is { IsValid: false } decoded)
        {
            // Its first bytes as a reader sees them, its '\n' included when among them.
            Span<byte> start = stackalloc byte[LineFormat.CrcPrefix.Length];
            int n = Math.Min(start.Length, last.Content.Length);
            last.Content.Span[..n].CopyTo(start);
            if (n < start.Length)
                start[n++] = (byte)'\n';
            if (decoded.IsAltered || !LineFormat.MayBeCutShort(start[..n]))
                throw new CorruptLogException(path, 0, last.Start, decoded.IsAltered ? decoded.Error! : LineFormat.NotCutShort);
            torn = $"last line is damaged: {decoded.Error}";
            end = last.Start;
        }

        // Walk back over the lines of an unfinished batch to the end of the last complete one.
        int unfinished = 0;
        LogRecord? lastRecord = null;
        while (end > 0)
        {
            var line = lines.LineContaining(end - 1);
            var decoded = LineFormat.Decode(line.Content.Span);
            if (!decoded.IsValid)
                throw new CorruptLogException(path, 0, line.Start, decoded.Error + LineFormat.NotATornTail);
            if (!decoded.More)
            {
                lastRecord = new LogRecord(line.Content.Slice(decoded.RecordStart, decoded.RecordLength).ToArray(), 0, line.Start);
                break;
            }
            unfinished++;
            end = line.Start;
        }
        if (unfinished > 0)
            torn ??= $"batch of {unfinished}+ lines is unfinished: its last line is missing";
        return new LogTail(end, lastRecord, torn is null ? null : new TornTail(path, end, length - end, torn));
    }
}
