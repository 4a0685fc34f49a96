using MiniStore;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>
/// A query's place in a log whose records carry a key that increases through it (an event log's sequence numbers,
/// the event index's orderings). Each read opens the log once, read-only, and goes on after the last record the
/// previous read consumed, so a query reads every record once, however many times it polls.
/// <para>
/// A log grows, or is replaced whole by a compaction (a copy without dropped records, renamed over it): each read
/// first finds the last consumed record where it was; when it is not there, the log was replaced, and the read finds
/// its place in the new file by key (a binary search for the first key above the last consumed one).
/// </para>
/// <para>
/// A current query's end is what was stored when it started (<see cref="EndAtWhatIsStored"/>): the log's last
/// complete batch then. Its records are exactly those with keys up to the key of that batch's last record, so the end
/// holds in a replacement too; and the query is <see cref="Finished"/> as soon as it has consumed that record or read
/// everything there is, not only when a read comes back short.
/// </para>
/// </summary>
internal sealed class LogCursor(string path, MiniStoreOptions options, Func<LogRecord, long> keyOf, string keyName)
{
    private Place? _last;     // the last consumed record
    private long _afterKey;   // records up to this key are behind the cursor: consumed, or before the query's start
    private long? _endKey;    // a current query's end: the key of the last record stored when it started
    private bool _readToEnd;  // a read of a current query reached its end

    private readonly record struct Place(long Offset, long LineNumber, long Key);

    public string Path { get; } = path;

    /// <summary>Starts after the records with keys up to <paramref name="key"/>, found by a binary search until a record is consumed.</summary>
    public LogCursor StartAfter(long key)
    {
        _afterKey = key;
        return this;
    }

    /// <summary>Makes this a current query's cursor: it reads no record stored after this call.</summary>
    public void EndAtWhatIsStored()
    {
        using var log = TryOpen();
        _endKey = log?.LastRecordAtOpen is { } last ? keyOf(last) : 0;
    }

    /// <summary>A current query's cursor has consumed everything up to its end.</summary>
    public bool Finished => _endKey is { } end && (_afterKey >= end || _readToEnd);

    /// <summary>
    /// Visits the records after the cursor (each with its key) until <paramref name="visit"/> returns false; every
    /// visited record (the last one too) is consumed. Reading stops, without consuming it, at a record with a key above
    /// <paramref name="upToKey"/>, and at the end of a current query. Returns true when it read everything there is
    /// (to the end of the log, or of the current query), false when the visitor or <paramref name="upToKey"/> stopped it.
    /// Keys must increase through the log: a record that breaks this is damage, named with its file and line.
    /// </summary>
    public bool Read(Func<LogRecord, long, bool> visit, long upToKey = long.MaxValue)
    {
        if (Finished)
            return true;
        using var log = TryOpen();
        if (log is null)
            return ReachedEnd(); // nothing stored yet, or removed: nothing to read
        using var records = Records(log, out long previous);
        while (records.MoveNext())
        {
            var record = records.Current;
            long key = keyOf(record);
            if (key <= previous)
                throw new CorruptLogException(Path, record.LineNumber, record.Offset, $"{keyName} {key} does not follow {previous}: {keyName}s must increase through the log");
            previous = key;
            if (key <= _afterKey)
                continue; // before the start, or in the batch a search found before the first record wanted
            if (key > _endKey)
                return ReachedEnd();
            if (key > upToKey)
                return false;
            _last = new Place(record.Offset, record.LineNumber, key);
            _afterKey = key;
            if (!visit(record, key))
                return false;
        }
        return ReachedEnd();
    }

    private bool ReachedEnd()
    {
        _readToEnd = _endKey is not null;
        return true;
    }

    /// <summary>The records from the cursor on: after the last consumed one when it is still where it was, else from the first batch holding a key above it.</summary>
    private IEnumerator<LogRecord> Records(MiniStoreLog log, out long previousKey)
    {
        previousKey = long.MinValue;
        if (_last is not { } last)
            return _afterKey > 0 ? log.Read(log.Seek(keyOf, _afterKey + 1), fromLineNumber: 0).GetEnumerator() : log.Read().GetEnumerator();
        if (last.Offset < log.Length)
        {
            var records = log.Read(last.Offset, last.LineNumber).GetEnumerator();
            try
            {
                if (records.MoveNext() && records.Current.Offset == last.Offset && keyOf(records.Current) == last.Key)
                {
                    previousKey = last.Key;
                    return records; // the same file, grown or not: the next record is the first not consumed
                }
            }
            catch (CorruptLogException)
            {
                // The offset is no longer the start of a line: the file was replaced.
            }
            records.Dispose();
        }
        // Replaced (a compaction, or a rebuild of the index): the records of that batch up to the last consumed key are skipped by the caller.
        return log.Read(log.Seek(keyOf, last.Key + 1), fromLineNumber: 0).GetEnumerator();
    }

    private MiniStoreLog? TryOpen()
    {
        if (!MiniStoreLog.Exists(Path))
            return null;
        try
        {
            return MiniStoreLog.Open(Path, options, readOnly: true);
        }
        catch (FileNotFoundException)
        {
            return null; // removed between the two calls
        }
    }
}
