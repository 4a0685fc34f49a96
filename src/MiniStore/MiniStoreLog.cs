using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// An append-only, fsync'd, replayable JSONL log on one file handle: the whole engine's public face.
/// <code>
/// using var log = MiniStoreLog.Open("counter.log");
/// log.Append(JsonSerializer.SerializeToUtf8Bytes(new Inc(25)));            // returns once fsync'd
/// foreach (var record in log.Read()) Apply(JsonSerializer.Deserialize&lt;Op&gt;(record.Json.Span));
/// </code>
/// Its life: <see cref="Open"/> reads the end of the file (the last complete batch, and a torn tail after it if a
/// crash left one) without changing it; <see cref="Read"/> and <see cref="Seek"/> read on the same handle; the first
/// <see cref="Append"/> cuts a torn tail (or <see cref="RepairTail"/> does, when the caller wants it cut at once) and
/// writes; <see cref="Dispose"/> closes the file. A log is a plain single writer, as LevelDB's: it has no thread, no
/// queue and no lock, and one caller at a time may use it (a second concurrent <see cref="Append"/> is refused).
/// </summary>
public sealed class MiniStoreLog : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly MiniStoreOptions _options;
    private readonly LogFile.Name _name;
    private Exception? _broken;
    private int _appending;

    private MiniStoreLog(string path, SafeFileHandle file, MiniStoreOptions options, bool readOnly)
    {
        Path = path;
        _file = file;
        _options = options;
        _name = new LogFile.Name(path);
        IsReadOnly = readOnly;
        var tail = LogTail.Read(file, path, options.MaxLineLength);
        Length = tail.CommittedLength;
        LastRecordAtOpen = tail.LastRecord;
        TornTail = tail.Torn;
    }

    /// <summary>Full path of the log file.</summary>
    public string Path { get; }

    internal SafeFileHandle Handle => _file;
    internal MiniStoreOptions Options => _options;

    /// <summary>Opened for reading only: appends and repairs are refused.</summary>
    public bool IsReadOnly { get; }

    /// <summary>End of the last complete batch: bytes durably committed (a torn tail lies beyond it until cut).</summary>
    public long Length { get; private set; }

    /// <summary>The last record of the file when it was opened (null for an empty log); its <see cref="LogRecord.LineNumber"/> is 0 (not counted).</summary>
    public LogRecord? LastRecordAtOpen { get; }

    /// <summary>What a crash left after the last complete batch (never acknowledged), or null when the file ends cleanly or it was cut.</summary>
    public TornTail? TornTail { get; private set; }

    /// <summary>True when something exists at <paramref name="path"/> itself (a file, or a link, directory or device that <see cref="Open"/> will refuse).</summary>
    public static bool Exists(string path) => LogFile.Entry(System.IO.Path.GetFullPath(path)) is not null;

    /// <summary>
    /// Opens a log on one handle and reads its end; only the last lines are read, so opening costs the same for any
    /// length. A damaged last complete line (altered, or not a log line at all) throws <see cref="CorruptLogException"/>;
    /// damage further back is reported by the read that reaches it. For appending (the default) the file is created in
    /// its existing directory (and its directory entry fsync'd); <paramref name="readOnly"/> opens an existing file
    /// without needing write permission. A path that is a symbolic link, a directory or any non-regular file is refused.
    /// </summary>
    public static MiniStoreLog Open(string path, MiniStoreOptions? options = null, bool readOnly = false)
    {
        options ??= MiniStoreOptions.Default;
        path = System.IO.Path.GetFullPath(path);
        string directory = System.IO.Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Cannot open the log '{path}': its directory '{directory}' does not exist (a log's directory is its owner's to create).");
        var file = LogFile.Open(path, readOnly, create: !readOnly, options, out bool created);
        try
        {
            if (created)
                options.FileSync.SyncDirectory(directory);
            return new MiniStoreLog(path, file, options, readOnly);
        }
        catch
        {
            file.Dispose();
            if (created)
                File.Delete(path); // still empty: the next open creates it again and makes its directory entry durable
            throw;
        }
    }

    /// <summary>
    /// Reads the records in the order written, on this handle, from a position (0, a record's <see cref="LogRecord.Offset"/>
    /// or a <see cref="Seek"/> result) up to <see cref="Length"/> as it is when the read starts. <paramref name="fromLineNumber"/>
    /// is the line number there, or 0 when not known (records then carry 0; damage is still reported with its line).
    /// A record's <see cref="LogRecord.Json"/> is valid until the enumeration moves on.
    /// </summary>
    public IEnumerable<LogRecord> Read(long fromOffset = 0, long fromLineNumber = 1) =>
        new LogReader(_file, Path, _options.MaxLineLength, fromOffset, fromOffset == 0 ? 1 : fromLineNumber, Length).Read();

    /// <summary>
    /// Where to start reading for the records whose key is at least <paramref name="key"/>: the offset of the batch
    /// holding the first such record, or <see cref="Length"/> when there is none. <paramref name="keyOf"/> gives a
    /// record's key (such as a sequence number), which must not decrease through the log. A binary search over byte
    /// offsets: it reads about log2(records) lines, whatever the length. A damaged line it reads throws <see cref="CorruptLogException"/>.
    /// </summary>
    public long Seek(Func<LogRecord, long> keyOf, long key) =>
        new LineLocator(_file, Path, Length, _options.MaxLineLength).FirstBatchAtOrAbove(keyOf, key);

    /// <summary>
    /// Cuts the torn tail off (it was never acknowledged), after copying its bytes to a <c>&lt;log&gt;.&lt;time&gt;.broken</c>
    /// file beside the log and making the copy durable, so that nothing a person might want back is lost. Null when
    /// there is no torn tail.
    /// </summary>
    public TornTail? RepairTail()
    {
        if (TornTail is not { } torn)
            return null;
        RefuseReadOnly("cut its torn tail");
        string brokenPath = $"{Path}.{DateTime.UtcNow:yyyyMMdd'T'HHmmss'.'fffffff'Z'}.broken";
        long copied = CopyTo(brokenPath, torn.Offset, torn.Offset + torn.Length);
        _options.FileSync.SyncDirectory(System.IO.Path.GetDirectoryName(Path)!);
        RandomAccess.SetLength(_file, torn.Offset);
        _options.FileSync.SyncFile(_file);
        TornTail = null;
        return torn with { Length = copied, BrokenCopyPath = brokenPath };
    }

    /// <summary>
    /// Copies bytes <paramref name="from"/>..<paramref name="to"/> of the file into a new file and fsyncs it (its
    /// directory entry is the caller's to sync), in pieces: a torn tail can be far longer than a line (a large write a
    /// power loss left as zeros). Returns the bytes copied. For a repair's .broken copy and a compaction's new log.
    /// </summary>
    internal long CopyTo(string target, long from, long to)
    {
        long copied = 0;
        using var copy = LogFile.Open(target, readOnly: false, create: true, _options, out _);
        var buffer = new byte[(int)Math.Clamp(to - from, 1, 1 << 20)];
        for (int n; from + copied < to && (n = RandomAccess.Read(_file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, to - from - copied)), from + copied)) > 0; copied += n)
            RandomAccess.Write(copy, buffer.AsSpan(0, n), copied);
        if (from + copied < to)
            throw new IOException($"Log '{Path}' became shorter than {to} bytes while it was being copied to '{target}'; nothing was changed");
        _options.FileSync.SyncFile(copy);
        return copied;
    }

    /// <summary>Appends one atomic batch of records (each one UTF-8 JSON value) and returns once it is fsync'd: after a crash it replays whole or not at all.</summary>
    public void Append(params IReadOnlyList<ReadOnlyMemory<byte>> batch) => AppendBatches([batch]);

    /// <summary>Appends several atomic batches with one write and one fsync: after a crash each batch replays whole or not at all.</summary>
    public void AppendBatches(IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> batches)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        RefuseReadOnly("append");
        if (_broken is not null)
            throw new IOException($"Log '{Path}' is unusable after an earlier failure; reopen it to recover: {_broken.Message}", _broken);
        int size = 0;
        for (int b = 0; b < batches.Count; b++)
            for (int r = 0; r < batches[b].Count; r++)
            {
                var record = batches[b][r];
                string? problem = record.Length + LineFormat.MaxFramingLength > _options.MaxLineLength
                    ? $"it is {record.Length} bytes, over the {_options.MaxLineLength}-byte line limit"
                    : LineFormat.RecordProblem(record.Span, _options.ParseRecords);
                if (problem is not null)
                    throw new ArgumentException($"Record {r + 1} of {batches[b].Count} in batch {b + 1} of {batches.Count} cannot be appended to '{Path}', nothing was written: {problem}.");
                size += record.Length + LineFormat.MaxFramingLength;
            }
        if (size == 0)
            return;
        if (Interlocked.Exchange(ref _appending, 1) != 0)
            throw new InvalidOperationException($"Log '{Path}' has one writer at a time: an append is already in progress (serialize the calls).");
        // Rented, and returned once written: a large append would otherwise cost a new large-object-heap array each time.
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            int length = 0;
            foreach (var batch in batches)
                length += LineFormat.EncodeBatch(batch, buffer.AsSpan(length));
            RepairTail();
            Write(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Volatile.Write(ref _appending, 0);
        }
    }

    /// <summary>Writes encoded lines at the end of the file and fsyncs them; on failure cuts them off again and throws.</summary>
    private void Write(ReadOnlySpan<byte> lines)
    {
        long start = Length;
        try
        {
            RandomAccess.Write(_file, lines, start);
            _options.FileSync.SyncFile(_file);
            if (!_name.Exists())
                throw new FileNotFoundException($"'{Path}' was removed (or its directory moved away) while open: the write reached no file that replay would read", Path);
            Length = start + lines.Length;
        }
        catch (Exception e)
        {
            // Cut the failed write back off so no half record stays behind; if even that fails, refuse further appends.
            try
            {
                RandomAccess.SetLength(_file, start);
                _options.FileSync.SyncFile(_file);
            }
            catch (Exception cut)
            {
                _broken = new AggregateException(e, cut);
            }
            throw new IOException($"Append to '{Path}' failed; nothing of it was kept: {e.Message}", e);
        }
    }

    internal void RefuseReadOnly(string what)
    {
        if (IsReadOnly)
            throw new InvalidOperationException($"Log '{Path}' was opened for reading only; cannot {what}.");
    }

    /// <summary>Closes the file. Everything appended was fsync'd before its call returned, so closing loses nothing.</summary>
    public void Dispose() => _file.Dispose();
}
