using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>A whole line found by <see cref="LineLocator"/>; <see cref="Content"/> is valid until the locator's next call.</summary>
internal readonly record struct LocatedLine(long Start, ReadOnlyMemory<byte> Content, bool HasNewline)
{
    /// <summary>Offset just after the line (after its '\n').</summary>
    public long End => Start + Content.Length + (HasNewline ? 1 : 0);
}

/// <summary>
/// Finds the whole line around any byte offset of a log without reading the log from its start: records hold no raw
/// line break, so the bytes between two '\n' are one line. A window around the offset is read and widened until both
/// ends of the line are in it. Used to read a log's tail at open and to seek by key (<see cref="FirstBatchAtOrAbove"/>:
/// a binary search over byte offsets, a few lines read whatever the log's length); bytes at or after the limit given
/// are never read.
/// </summary>
internal sealed class LineLocator(SafeFileHandle file, string path, long limit, int maxLineLength)
{
    private const int InitialReach = 4096;
    private byte[] _window = [];
    private long _windowStart;
    private int _windowLength;

    /// <summary>The line holding byte <paramref name="position"/> (a '\n' belongs to the line it ends); position is below the limit.</summary>
    public LocatedLine LineContaining(long position)
    {
        long before = InitialReach, after = InitialReach;
        while (true)
        {
            long from = Math.Max(0, position - before), to = Math.Min(limit, position + after);
            Load(from, to);
            var bytes = _window.AsSpan((int)(from - _windowStart), (int)(to - from));
            int at = (int)(position - from);
            int previousBreak = bytes[..at].LastIndexOf((byte)'\n');
            int ownBreak = bytes[at..].IndexOf((byte)'\n');
            bool startFound = previousBreak >= 0 || from == 0, endFound = ownBreak >= 0 || to == limit;
            long start = previousBreak >= 0 ? from + previousBreak + 1 : from;
            long end = ownBreak >= 0 ? position + ownBreak : to; // exclusive of the '\n'
            if (end - start > maxLineLength)
                throw new CorruptLogException(path, 0, startFound ? start : LineStartBefore(from), $"line is longer than the {maxLineLength}-byte limit");
            if (startFound && endFound)
                return new LocatedLine(start, _window.AsMemory((int)(start - _windowStart), (int)(end - start)), ownBreak >= 0);
            if (!startFound) before *= 2;
            if (!endFound) after *= 2;
        }
    }

    /// <summary>Where the line holding the byte before <paramref name="position"/> starts, found without keeping the line (and without the line limit).</summary>
    public long LineStartBefore(long position)
    {
        while (position > 0)
        {
            long from = Math.Max(0, position - 64 * 1024);
            Load(from, position);
            int lineBreak = _window.AsSpan((int)(from - _windowStart), (int)(position - from)).LastIndexOf((byte)'\n');
            if (lineBreak >= 0)
                return from + lineBreak + 1;
            position = from;
        }
        return 0;
    }

    private void Load(long from, long to)
    {
        if (from >= _windowStart && to <= _windowStart + _windowLength)
            return;
        int length = (int)(to - from);
        if (_window.Length < length)
            _window = new byte[Math.Max(length, 2 * InitialReach)];
        for (int read = 0; read < length;)
        {
            int n = RandomAccess.Read(file, _window.AsSpan(read, length - read), from + read);
            if (n == 0)
                throw new IOException($"Log '{path}' became shorter than {to} bytes while it was being read.");
            read += n;
        }
        _windowStart = from;
        _windowLength = length;
    }

    /// <summary>The start of the batch holding the first record with a key at or above <paramref name="key"/>, or the end if none.</summary>
    public long FirstBatchAtOrAbove(Func<LogRecord, long> keyOf, long key)
    {
        // Every line before `low` has a smaller key; the line at `high` (or the end) has a key at or above it.
        long low = 0, high = limit;
        while (low < high)
        {
            var line = LineContaining(low + (high - low) / 2);
            if (keyOf(Record(line)) < key)
                low = line.End;
            else
                high = line.Start;
        }

        // Back to the start of the batch: the lines before it that carry "more" belong to it.
        while (low > 0 && low < limit)
        {
            var previous = LineContaining(low - 1);
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
