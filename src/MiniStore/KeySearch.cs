using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// Finds where a log's records reach a key (such as a sequence number) that does not decrease through the log, by a
/// binary search over byte offsets: the line around the middle of the range is read, its key compared, and half of
/// the range dropped. Lines are separated by '\n' and records hold no raw line break, so any offset leads to a whole
/// line. See <see cref="MiniStoreLog.SeekAsync"/>.
/// </summary>
internal sealed class KeySearch
{
    private readonly string _path;
    private readonly long _end;
    private readonly LineLocator _lines;

    public KeySearch(SafeFileHandle file, string path, long endOffset, MiniStoreOptions options)
    {
        _path = path;
        _end = Math.Min(endOffset, RandomAccess.GetLength(file));
        _lines = new LineLocator(file, path, _end, options);
    }

    /// <summary>The start of the batch holding the first record with a key at or above <paramref name="key"/>, or the end if none.</summary>
    public async Task<long> FirstBatchAtOrAboveAsync(Func<LogRecord, long> keyOf, long key, CancellationToken cancellationToken)
    {
        // Every line before `low` has a smaller key; the line at `high` (or the end) has a key at or above it.
        long low = 0, high = _end;
        while (low < high)
        {
            var line = await _lines.LineContainingAsync(low + (high - low) / 2, cancellationToken).ConfigureAwait(false);
            var decoded = LineDecoder.Decode(line.Content.Span);
            bool last = line.End >= _end;
            if (last && (!line.HasNewline || !decoded.IsValid))
            {
                high = line.Start; // a torn last line: after every key, as a read stops before it
                continue;
            }
            if (keyOf(Record(line, decoded)) < key)
                low = line.End;
            else
                high = line.Start;
        }

        // Back to the start of the batch: the lines before it that carry "more" belong to it.
        while (low > 0 && low < _end)
        {
            var previous = await _lines.LineContainingAsync(low - 1, cancellationToken).ConfigureAwait(false);
            var decoded = LineDecoder.Decode(previous.Content.Span);
            Record(previous, decoded);
            if (!decoded.More)
                break;
            low = previous.Start;
        }
        return low;
    }

    private LogRecord Record(in LocatedLine line, in DecodedLine decoded)
    {
        if (!decoded.IsValid)
            throw new CorruptLogException(_path, 0, line.Start, decoded.Error + LineDecoder.NotATornTail);
        return new LogRecord(line.Content.Slice(decoded.RecordStart, decoded.RecordLength), 0, line.Start);
    }
}
