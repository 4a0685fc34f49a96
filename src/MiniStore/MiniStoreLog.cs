using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// An append-only, fsync'd, replayable JSONL log: the whole engine's public face.
/// <code>
/// await using var log = await MiniStoreLog.OpenAsync("counter.log");
/// await log.AppendAsync(new CounterOp.Inc(25));
/// await foreach (var op in MiniStoreLog.ReplayAsync&lt;CounterOp&gt;("counter.log")) { ... }
/// </code>
/// One instance is the only writer of its file. An append that finds no write in progress is written and fsync'd on
/// the calling thread before the call returns (no thread hop: the fast path of one writer). Appends that arrive while
/// a write is in progress are queued in call order and written together, with one write and one fsync, by a
/// background task (group commit). Either way an append's task completes only after the fsync that covers it.
/// </summary>
public sealed class MiniStoreLog : IAsyncDisposable, IDisposable
{
    private readonly FileStream _stream;
    private readonly SafeFileHandle _file; // taken once: FileStream.SafeFileHandle seeks the file on every get
    private readonly MiniStoreOptions _options;
    private readonly FileName _name;
    private readonly object _gate = new();
    private List<PendingAppend> _queue = new();
    private List<PendingAppend> _spare = new();
    private Task _writer = Task.CompletedTask;
    private bool _writing;
    private Exception? _broken;
    private bool _disposed;

    private MiniStoreLog(string path, FileStream stream, MiniStoreOptions options, LogTail tail, TailRepair? repair)
    {
        Path = path;
        _name = new FileName(path);
        _stream = stream;
        _file = stream.SafeFileHandle;
        _options = options;
        Length = tail.CommittedLength;
        LastRecordAtOpen = tail.LastRecord;
        Repair = repair;
    }

    /// <summary>Full path of the log file.</summary>
    public string Path { get; }

    /// <summary>The most bytes a line adds around a record's JSON (checksum header, batch flag, closing brace, newline).</summary>
    public const int MaxLineFraming = LineEncoder.MaxFramingLength;

    /// <summary>Bytes durably committed to the file.</summary>
    public long Length { get; private set; }
    /// <summary>
    /// The last record in the file when it was opened (null for an empty log), for callers that keep a position in it.
    /// Its <see cref="LogRecord.LineNumber"/> is 0 (not counted); its bytes are its own.
    /// </summary>
    public LogRecord? LastRecordAtOpen { get; }
    /// <summary>What opening cut off the end of the file, or null when the file ended cleanly.</summary>
    public TailRepair? Repair { get; }

    /// <summary>
    /// Opens (creating if needed) a log for appending. Only the end of the file is read, so opening costs the same
    /// for any log length: a torn tail is saved to a <c>.broken</c> file beside the log and truncated away (see
    /// <see cref="Repair"/>); a damaged last complete line, or a last line that is not a log line, throws
    /// <see cref="CorruptLogException"/>. Damage further back is reported by the read that reaches it.
    /// </summary>
    public static async Task<MiniStoreLog> OpenAsync(string path, MiniStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= MiniStoreOptions.Default;
        path = System.IO.Path.GetFullPath(path);
        string directory = System.IO.Path.GetDirectoryName(path)!;
        DurableDirectory.Create(directory, options.FileSync, options.DirectoryMode);

        bool created = !File.Exists(path);
        var stream = new FileStream(path, options.NewFile(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete));
        var file = stream.SafeFileHandle;
        try
        {
            if (created)
                options.FileSync.SyncDirectory(directory);

            var tail = await LogTail.ReadAsync(file, path, options, cancellationToken).ConfigureAwait(false);
            TailRepair? repair = null;
            if (tail.TornReason is { } reason)
            {
                repair = TailRepairer.Repair(path, file, tail.CommittedLength, reason, options);
                options.OnRepair?.Invoke(repair);
            }
            return new MiniStoreLog(path, stream, options, tail, repair);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the records of a log in the order written. Stops before a torn tail (which was never acknowledged).</summary>
    public static IAsyncEnumerable<LogRecord> ReadAsync(string path, MiniStoreOptions? options = null, CancellationToken cancellationToken = default) =>
        ReadAsync(path, fromOffset: 0, fromLineNumber: 1, options: options, cancellationToken: cancellationToken);

    /// <summary>
    /// Reads a log from a position (a record's <see cref="LogRecord.Offset"/>, or the start of a batch from
    /// <see cref="SeekAsync"/>), up to an optional end offset. <paramref name="fromLineNumber"/> is the line number at
    /// <paramref name="fromOffset"/>, or 0 when it is not known: the records then carry line number 0, and damage is
    /// still reported with its line, counted from the file.
    /// </summary>
    public static async IAsyncEnumerable<LogRecord> ReadAsync(string path, long fromOffset, long fromLineNumber, long endOffset = long.MaxValue, MiniStoreOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
            yield break;
        using var reader = new LogReader(path, options ?? MiniStoreOptions.Default, fromOffset, fromLineNumber, endOffset);
        await foreach (var record in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            yield return record;
    }

    /// <summary>
    /// Where to start reading for the records whose key is at least <paramref name="key"/>: the offset of the batch
    /// holding the first such record, or the end when there is none. <paramref name="keyOf"/> gives a record's key
    /// (such as a sequence number), which must not decrease through the log; it sees records with line number 0.
    /// A binary search over byte offsets: it reads about log2(records) lines, whatever the log's length. Bytes at or
    /// after <paramref name="endOffset"/> are not read; a torn last line counts as after every key. A damaged line
    /// the search reads throws <see cref="CorruptLogException"/>.
    /// </summary>
    public static async Task<long> SeekAsync(string path, Func<LogRecord, long> keyOf, long key, long endOffset = long.MaxValue, MiniStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
            return 0;
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return await new KeySearch(file, path, endOffset, options ?? MiniStoreOptions.Default).FirstBatchAtOrAboveAsync(keyOf, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replays a log's records deserialized as <typeparamref name="T"/>, in the order written.</summary>
    public static async IAsyncEnumerable<T> ReplayAsync<T>(string path, JsonSerializerOptions? jsonOptions = null, MiniStoreOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in ReadAsync(path, options, cancellationToken).ConfigureAwait(false))
        {
            T? value;
            try
            {
                value = JsonSerializer.Deserialize<T>(record.Json.Span, jsonOptions);
            }
            catch (JsonException e)
            {
                throw new JsonException($"Log '{path}' line {record.LineNumber}: record is not a valid {typeof(T).Name}: {e.Message}", e);
            }
            yield return value!;
        }
    }

    /// <summary>Appends one record (a JSON value) durably.</summary>
    public Task AppendAsync<T>(T value, JsonSerializerOptions? jsonOptions = null, CancellationToken cancellationToken = default)
    {
        RefuseBytes<T>();
        return AppendJsonBatchAsync([JsonSerializer.SerializeToUtf8Bytes(value, jsonOptions)], cancellationToken);
    }

    /// <summary>Appends records atomically: after a crash, either all of them replay or none.</summary>
    public Task AppendBatchAsync<T>(IEnumerable<T> values, JsonSerializerOptions? jsonOptions = null, CancellationToken cancellationToken = default) =>
        RefuseBytes<T>() ?? AppendJsonBatchAsync(values.Select(v => (ReadOnlyMemory<byte>)JsonSerializer.SerializeToUtf8Bytes(v, jsonOptions)).ToList(), cancellationToken);

    // Bytes passed to the serializing overloads would be stored as a base64 string: almost surely a mistake.
    private static Task? RefuseBytes<T>() =>
        typeof(T) == typeof(byte[]) || typeof(T) == typeof(ReadOnlyMemory<byte>) || typeof(T) == typeof(Memory<byte>)
            ? throw new ArgumentException($"AppendAsync/AppendBatchAsync serialize their argument; for bytes that already are JSON use AppendJsonAsync/AppendJsonBatchAsync.")
            : null;

    /// <summary>Appends one record given as UTF-8 JSON bytes (the bytes are the record, not a value to serialize).</summary>
    public Task AppendJsonAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default) =>
        AppendJsonBatchesAsync([[utf8Json]], cancellationToken);

    /// <summary>
    /// Appends records given as UTF-8 JSON, atomically, and completes after they are fsync'd. Once queued an append
    /// is not withdrawn: the token is only checked before queueing.
    /// </summary>
    public Task AppendJsonBatchAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken = default) =>
        AppendJsonBatchesAsync([records], cancellationToken);

    /// <summary>
    /// Appends several atomic batches with one write and one fsync: after a crash each batch replays whole or not at
    /// all, and the task completes once all of them are durable.
    /// </summary>
    public Task AppendJsonBatchesAsync(IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> batches, CancellationToken cancellationToken = default) =>
        AppendJsonBatchesAsync(batches, parseEachRecord: true, cancellationToken);

    /// <summary>
    /// <see cref="AppendJsonBatchesAsync(IReadOnlyList{IReadOnlyList{ReadOnlyMemory{byte}}}, CancellationToken)"/>
    /// for records the caller has just written with a validating <see cref="Utf8JsonWriter"/> (the Akka plugin's event
    /// records and index entries): such a writer only ever produces one complete JSON value, so parsing each record
    /// again would prove nothing and costs about as much as writing it. Length and line breaks are still checked
    /// (a converter's raw value may hold a line break). Internal: for records of unknown origin the engine parses each one.
    /// </summary>
    internal Task AppendWrittenJsonBatchesAsync(IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> batches, CancellationToken cancellationToken = default) =>
        AppendJsonBatchesAsync(batches, parseEachRecord: false, cancellationToken);

    private Task AppendJsonBatchesAsync(IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> batches, bool parseEachRecord, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int recordCount = 0, size = 0;
        for (int b = 0; b < batches.Count; b++)
            for (int r = 0; r < batches[b].Count; r++)
            {
                var record = batches[b][r];
                string? problem = record.Length + LineEncoder.MaxFramingLength > _options.MaxLineLength
                    ? $"it is {record.Length} bytes, over the {_options.MaxLineLength}-byte line limit"
                    : LineEncoder.RecordProblem(record.Span, parseEachRecord);
                if (problem is not null)
                    throw new ArgumentException($"Record {r + 1} of {batches[b].Count} in batch {b + 1} of {batches.Count} cannot be appended to '{Path}', nothing was written: {problem}.");
                recordCount++;
                size += record.Length + LineEncoder.MaxFramingLength;
            }
        if (recordCount == 0)
            return Task.CompletedTask;
        // Rented, and returned once written: a large append would otherwise cost a new large-object-heap array each time.
        var encoded = new PendingAppend(ArrayPool<byte>.Shared.Rent(size));
        foreach (var records in batches)
            encoded.Length += LineEncoder.EncodeBatch(records, encoded.Buffer.AsSpan(encoded.Length));

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_broken is not null)
                throw new IOException($"Log '{Path}' is unusable after an earlier failure; reopen it to recover: {_broken.Message}", _broken);
            if (_writing)
            {
                _queue.Add(encoded);
                return encoded.Completion.Task;
            }
            _writing = true;
        }

        Exception? failure = null;
        try
        {
            Write([encoded.Bytes]);
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            encoded.ReturnBuffer();
            // Appends that queued up meanwhile are written by a background task, so that this caller returns now.
            lock (_gate)
            {
                if (_queue.Count == 0)
                    _writing = false;
                else
                    _writer = Task.Run(WriteQueued);
            }
        }
        return failure is null ? Task.CompletedTask : Task.FromException(failure);
    }

    private void WriteQueued()
    {
        while (true)
        {
            List<PendingAppend> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }
                batch = _queue;
                _queue = _spare;
                _spare = batch;
            }

            Exception? failure = null;
            try
            {
                Write(batch.Select(p => p.Bytes).ToArray());
            }
            catch (Exception e)
            {
                failure = e;
            }
            foreach (var p in batch)
            {
                p.ReturnBuffer();
                if (failure is null) p.Completion.TrySetResult();
                else p.Completion.TrySetException(failure);
            }
            batch.Clear();
        }
    }

    /// <summary>Writes encoded lines at the end of the file and fsyncs them; on failure cuts them off again and throws.</summary>
    private void Write(ReadOnlyMemory<byte>[] buffers)
    {
        long start = Length;
        try
        {
            long bytes = 0;
            foreach (var buffer in buffers)
                bytes += buffer.Length;
            if (buffers.Length == 1)
                RandomAccess.Write(_file, buffers[0].Span, start); // pwrite: the gather overload pins and copies a handle array first
            else
                RandomAccess.Write(_file, buffers, start);
            _options.FileSync.SyncFile(_file);
            // Bytes written to a file whose name was removed (or whose directory vanished) are durable nowhere anyone will look.
            if (!_name.Exists())
                throw new FileNotFoundException($"'{Path}' was removed (or its directory moved away) while open: the write reached no file that replay would read", Path);
            Length = start + bytes;
        }
        catch (Exception e)
        {
            RollBack(start, e);
            throw new IOException($"Append to '{Path}' failed; nothing of it was kept: {e.Message}", e);
        }
    }

    /// <summary>Cuts a failed write back off the file so no half record stays behind; if even that fails, the log refuses further appends.</summary>
    private void RollBack(long length, Exception cause)
    {
        try
        {
            RandomAccess.SetLength(_file, length);
            _options.FileSync.SyncFile(_file);
        }
        catch (Exception e)
        {
            lock (_gate)
                _broken = new AggregateException(cause, e);
        }
    }

    /// <summary>
    /// The last complete record of a log (line number 0, not counted), or null when it has none. Read from the end of
    /// the file, past a torn tail if there is one, so it costs the same for any log length; the file is not changed.
    /// </summary>
    public static async Task<LogRecord?> ReadLastRecordAsync(string path, MiniStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
            return null;
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var tail = await LogTail.ReadAsync(file, path, options ?? MiniStoreOptions.Default, cancellationToken).ConfigureAwait(false);
        return tail.LastRecord;
    }

    /// <summary>Waits for queued appends to finish, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        while (true)
        {
            Task writer;
            lock (_gate)
            {
                if (!_writing) break;
                writer = _writer;
            }
            // Either the background writer (awaited) or an append written on its caller's thread (polled) is still running.
            try { await (writer.IsCompleted ? Task.Delay(1) : writer).ConfigureAwait(false); } catch { /* each append's task carries its own failure */ }
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The encoded lines of one append, in a buffer rented from the shared pool, and the task its caller awaits.</summary>
    private sealed class PendingAppend(byte[] buffer)
    {
        public byte[] Buffer { get; private set; } = buffer;
        public int Length { get; set; }
        public ReadOnlyMemory<byte> Bytes => Buffer.AsMemory(0, Length);
        private TaskCompletionSource? _completion;

        /// <summary>Created only for an append that is queued: one written at once by its caller needs none.</summary>
        public TaskCompletionSource Completion => _completion ??= new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Gives the buffer back to the pool once its lines are written (or failed).</summary>
        public void ReturnBuffer()
        {
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = [];
        }
    }
}
