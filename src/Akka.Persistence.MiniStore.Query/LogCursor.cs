using MiniStore;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>
/// A position in a log that only grows: each read goes on after the last record the previous read consumed, so a
/// query reads every record once, however many times it polls.
/// </summary>
internal sealed class LogCursor(string path, MiniStoreOptions options)
{
    private long _offset;        // start of the last consumed record's line
    private long _lineNumber = 1;
    private bool _consumedAny;

    public string Path { get; } = path;

    /// <summary>
    /// Visits the records after the cursor, up to <paramref name="endOffset"/>, until <paramref name="visit"/> returns
    /// false; every visited record (the last one too) is consumed.
    /// </summary>
    public async Task ReadAsync(long endOffset, Func<LogRecord, bool> visit)
    {
        bool skip = _consumedAny; // reading starts at the last consumed record
        await foreach (var record in MiniStoreLog.ReadAsync(Path, _offset, _lineNumber, endOffset, options).ConfigureAwait(false))
        {
            if (skip)
            {
                skip = false;
                continue;
            }
            _offset = record.Offset;
            _lineNumber = record.LineNumber;
            _consumedAny = true;
            if (!visit(record))
                return;
        }
    }

    /// <summary>The log's current length: the end of a query that must see only what is stored when it starts.</summary>
    public long CurrentLength() => File.Exists(Path) ? new FileInfo(Path).Length : 0;
}
