using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// The end of a log, read backwards from the end of the file: where its last complete batch ends, that batch's last
/// record, and what follows it if the end is torn. It reads only the last lines, so it costs the same for any log
/// length; damage further back is found by whoever reads that far (<see cref="LogReader"/> reports it).
/// The rules are <see cref="LogReader"/>'s, applied from the other end: a last line without its '\n' or damaged, and
/// before it any lines of an unfinished batch, are a torn tail, provided that last line starts like a line (or with a
/// zero byte); a damaged line before them is corruption.
/// </summary>
internal sealed record LogTail(long CommittedLength, LogRecord? LastRecord, string? TornReason)
{
    public static async Task<LogTail> ReadAsync(SafeFileHandle file, string path, MiniStoreOptions options, CancellationToken cancellationToken)
    {
        long length = RandomAccess.GetLength(file);
        if (length == 0)
            return new LogTail(0, null, null);
        var lines = new LineLocator(file, path, length, options);

        string? torn = null;
        long end = length;
        var last = await lines.LineContainingAsync(length - 1, cancellationToken).ConfigureAwait(false);
        var decoded = LineDecoder.Decode(last.Content.Span);
        if (last.HasNewline && decoded.IsAltered)
            throw new CorruptLogException(path, 0, last.Start, decoded.Error!);
        if (!last.HasNewline || !decoded.IsValid)
        {
            RefuseForeignTail(path, last);
            torn = last.HasNewline
                ? $"last line is damaged: {decoded.Error}"
                : $"last line has no line break ({last.Content.Length} bytes): the write was cut short";
            end = last.Start;
        }

        // Walk back over the lines of an unfinished batch to the end of the last complete one.
        int unfinished = 0;
        LogRecord? lastRecord = null;
        while (end > 0)
        {
            var line = await lines.LineContainingAsync(end - 1, cancellationToken).ConfigureAwait(false);
            decoded = LineDecoder.Decode(line.Content.Span);
            if (!decoded.IsValid)
                throw new CorruptLogException(path, 0, line.Start, decoded.Error + LineDecoder.NotATornTail);
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
        return new LogTail(end, lastRecord, torn);
    }

    /// <summary>The first bytes of the last line, its '\n' included when it is among them, as <see cref="LogReader"/> sees them.</summary>
    private static void RefuseForeignTail(string path, LocatedLine last)
    {
        var content = last.Content.Span;
        Span<byte> start = stackalloc byte[LineEncoder.CrcPrefix.Length];
        int length = Math.Min(start.Length, content.Length);
        content[..length].CopyTo(start);
        if (last.HasNewline && length < start.Length)
            start[length++] = (byte)'\n';
        if (!LineDecoder.MayBeCutShort(start[..length]))
            throw new CorruptLogException(path, 0, last.Start, LineDecoder.NotCutShort);
    }
}
