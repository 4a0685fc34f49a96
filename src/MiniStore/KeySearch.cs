using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// Finds where a log's records reach a key (such as a sequence number) that does not decrease through the log, by a
/// binary search over byte offsets: the line around the middle of the range is read, its key compared, and half of
/// the range dropped. Lines are separated by '\n' and records hold no raw line break, so any offset leads to a whole
/// line. See <see cref="MiniStoreLog.Seek"/>.
/// </summary>
internal sealed class KeySearch(SafeFileHandle file, string path, long end, int maxLineLength)
{
    private readonly LineLocator _lines = new(file, path, end, maxLineLength);

    /// <summary>The start of the batch holding the first record with a key at or above <paramref name="key"/>, or the end if none.</summary>
    public long FirstBatchAtOrAbove(Func<LogRecord, long> keyOf, long key)
    {
        // Every line before `low` has a smaller key; the line at `high` (or the end) has a key at or above it.
        long low = 0, high = end;
        while (low < high)
        {
            var line = _lines.LineContaining(low + (high - low) / 2);
            if (keyOf(Record(line)) < key)
                low = line.End;
            else
                high = line.Start;
        }

        // Back to the start of the batch: the lines before it that carry "more" belong to it.
        while (low > 0 && low < end)
        {
            var previous = _lines.LineContaining(low - 1);
            if (!LineFormat.Decode(previous.Content.Span).More)
                break;
            low = previous.Start;
        }
        return low;
    }

    private LogRecord Record(in LocatedLine line)
    {
        var decoded = LineFormat.Decode(line.Content.Span);
        if (!decoded.IsValid)
            throw new CorruptLogException(path, 0, line.Start, decoded.Error + LineFormat.NotATornTail);
        return new LogRecord(line.Content.Slice(decoded.RecordStart, decoded.RecordLength), 0, line.Start);
    }
}
