using MiniStore;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>
/// A position in a log: each read goes on after the last record the previous read consumed, so a query reads every
/// record once, however many times it polls. A log grows, or is replaced whole by a compaction (a copy without its
/// deleted prefix, renamed over it): the replacement starts with a different record, and then the cursor reads the
/// new file from its start and skips what it already consumed by <paramref name="sequenceNr"/>. A log without a
/// sequence number (the event index, never compacted) cannot be re-positioned: its replacement is an error.
/// </summary>
internal sealed class LogCursor(string path, MiniStoreOptions options, Func<LogRecord, long>? sequenceNr = null)
{
    private long _offset;        // start of the last consumed record's line
    private long _lineNumber = 1;
    private bool _consumedAny;
    private long _lastSequenceNr;
    private byte[]? _firstRecord; // the file's first record when the cursor last read it from the start

    public string Path { get; } = path;

    /// <summary>
    /// Visits the records after the cursor, up to <paramref name="endOffset"/>, until <paramref name="visit"/> returns
    /// false; every visited record (the last one too) is consumed. Reading also stops, without consuming it, at a
    /// record numbered above <paramref name="upToSequenceNr"/> (a compaction may have removed the records before it).
    /// </summary>
    public async Task ReadAsync(long endOffset, Func<LogRecord, bool> visit, long upToSequenceNr = long.MaxValue)
    {
        bool skip = _consumedAny; // reading starts at the last consumed record
        bool replaced = _consumedAny && await WasReplacedAsync().ConfigureAwait(false);
        if (replaced)
        {
            if (sequenceNr is null)
                throw new IOException($"The log '{Path}' was replaced while a query was reading it, and its records carry no sequence number to find the query's place again. Restart the query.");
            (_offset, _lineNumber, skip) = (0, 1, false);
        }
        if (!MiniStoreLog.Exists(Path))
            return;
        using var log = MiniStoreLog.Open(Path, options, readOnly: true);
        if (_offset > log.Length)
            return; // cannot happen unless the file was replaced by a shorter one that starts the same
        foreach (var record in log.Read(_offset, _lineNumber))
        {
            if (record.Offset >= endOffset)
                return;
            if (record.Offset == 0)
                _firstRecord = record.Json.ToArray();
            if (skip)
            {
                skip = false;
                continue;
            }
            long recordSequenceNr = sequenceNr?.Invoke(record) ?? 0;
            if (recordSequenceNr > upToSequenceNr)
                return;
            _offset = record.Offset;
            _lineNumber = record.LineNumber;
            if (replaced && recordSequenceNr <= _lastSequenceNr)
                continue; // consumed from the old log: the cursor moves past it without a visit
            _lastSequenceNr = recordSequenceNr;
            _consumedAny = true;
            if (!visit(record))
                return;
        }
    }

    /// <summary>The log's current length: the end of a query that must see only what is stored when it starts.</summary>
    public long CurrentLength() => File.Exists(Path) ? new FileInfo(Path).Length : 0;

    // A compaction removes at least the first record, so the file's first record tells the old log from its replacement.
    private async Task<bool> WasReplacedAsync()
    {
        if (!MiniStoreLog.Exists(Path))
            return true; // removed since records were consumed
        using var log = MiniStoreLog.Open(Path, options, readOnly: true);
        foreach (var record in log.Read())
            return _firstRecord is null || !record.Json.Span.SequenceEqual(_firstRecord);
        return true; // emptied since records were consumed
    }
}
