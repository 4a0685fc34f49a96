using System.Text.Json;
using Akka.Event;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// The journal's view of one persistence id: its event log (<c>&lt;name&gt;.jsonl</c>), its deletion marks
/// (<c>&lt;name&gt;.deleted.jsonl</c>), the highest sequence number and the deleted-to mark. Every operation on the id
/// runs after the previous one has finished, so writes land in call order and a read of the highest sequence number
/// sees every write issued before it, including ones still in flight when it was asked.
/// </summary>
internal sealed class PersistenceIdLog : IAsyncDisposable
{
    private readonly MiniStoreOptions _options;
    private readonly ILoggingAdapter _log;
    private readonly object _gate = new();
    private Task _last = Task.CompletedTask;
    private MiniStoreLog? _events;
    private MiniStoreLog? _deletions;

    public PersistenceIdLog(string persistenceId, string directory, MiniStoreOptions options, ILoggingAdapter log)
    {
        PersistenceId = persistenceId;
        EventsPath = JournalFiles.EventLog(directory, persistenceId);
        DeletionsPath = JournalFiles.DeletionLog(directory, persistenceId);
        _options = options;
        _log = log;
    }

    public string PersistenceId { get; }
    public string EventsPath { get; }
    public string DeletionsPath { get; }
    public long HighestSequenceNr { get; private set; }
    public long DeletedTo { get; private set; }

    /// <summary>Runs <paramref name="operation"/> once every operation queued before it has finished (successfully or not).</summary>
    public Task<T> RunInOrder<T>(Func<Task<T>> operation)
    {
        lock (_gate)
        {
            var next = After(_last, operation);
            _last = next;
            return next;
        }

        static async Task<T> After(Task previous, Func<Task<T>> operation)
        {
            try { await previous.ConfigureAwait(false); } catch { /* its caller was told */ }
            return await operation().ConfigureAwait(false);
        }
    }

    /// <summary>Opens the log (repairing a torn tail) and reads the highest sequence number and deleted-to mark, once.</summary>
    public async Task LoadAsync()
    {
        if (_events is not null)
            return;
        if (LogCompactor.RemoveLeftover(EventsPath))
            _log.Warning("Persistence id '{0}': removed the unfinished copy of a compaction that was stopped before it replaced '{1}'", PersistenceId, EventsPath);
        var events = await MiniStoreLog.OpenAsync(EventsPath, _options).ConfigureAwait(false);
        try
        {
            if (events.Repair is { } repair)
                _log.Warning("Persistence id '{0}': {1}", PersistenceId, repair);
            if (events.LastRecordAtOpen is { } last)
                HighestSequenceNr = CheckedRecord(new LogRecord(last, events.RecordCount, events.Length), EventsPath).SequenceNr;

            if (File.Exists(DeletionsPath))
            {
                await foreach (var mark in MiniStoreLog.ReadAsync(DeletionsPath, _options).ConfigureAwait(false))
                {
                    var (deletedTo, highest) = DeletionMark.Read(mark, DeletionsPath, PersistenceId);
                    DeletedTo = Math.Max(DeletedTo, deletedTo);
                    HighestSequenceNr = Math.Max(HighestSequenceNr, highest);
                }
            }
            _events = events;
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Appends atomic writes (each a list of event records) with one fsync.</summary>
    public async Task AppendAsync(IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> atomicWrites, long highestSequenceNr)
    {
        await LoadAsync().ConfigureAwait(false);
        try
        {
            await _events!.AppendJsonBatchesAsync(atomicWrites).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new IOException($"Could not write events of persistence id '{PersistenceId}' to '{EventsPath}': {e.Message}", e);
        }
        HighestSequenceNr = Math.Max(HighestSequenceNr, highestSequenceNr);
    }

    /// <summary>Durably hides events up to <paramref name="toSequenceNr"/> (capped at the highest written) from replay.</summary>
    public async Task DeleteToAsync(long toSequenceNr)
    {
        await LoadAsync().ConfigureAwait(false);
        long deletedTo = Math.Min(toSequenceNr, HighestSequenceNr);
        if (deletedTo <= DeletedTo)
            return;
        _deletions ??= await MiniStoreLog.OpenAsync(DeletionsPath, _options).ConfigureAwait(false);
        var mark = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            [RecordFields.PersistenceId] = PersistenceId,
            [RecordFields.DeletedTo] = deletedTo,
            [RecordFields.HighestSequenceNr] = HighestSequenceNr,
        });
        try
        {
            await _deletions.AppendJsonAsync(mark).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new IOException($"Could not record deletion of events up to {deletedTo} of persistence id '{PersistenceId}' in '{DeletionsPath}': {e.Message}", e);
        }
        DeletedTo = deletedTo;
    }

    /// <summary>Test hook: called after each step of a compaction (the crash tests stop the process there).</summary>
    internal static Action<LogCompactor.Step>? CompactionStepHook;

    /// <summary>
    /// Physically removes the deleted prefix of the event log (see <see cref="LogCompactor"/>) when it is at least
    /// <paramref name="minDeadBytes"/> or <paramref name="minDeadRatio"/> of the file. Run it in order with the id's
    /// other operations: writes that arrive meanwhile wait for it. The highest sequence number stays known from the
    /// deletion marks even when every event is removed. Returns the bytes removed.
    /// </summary>
    public async Task<long> CompactAsync(long minDeadBytes, double minDeadRatio)
    {
        await LoadAsync().ConfigureAwait(false);
        long length = _events!.Length, cut = length;
        await foreach (var line in MiniStoreLog.ReadAsync(EventsPath, 0, 1, length, _options).ConfigureAwait(false))
        {
            long sequenceNr = EventRecord.PeekSequenceNr(line.Json.Span, PersistenceId) ?? CheckedRecord(line, EventsPath).SequenceNr;
            if (sequenceNr > DeletedTo)
            {
                cut = line.Offset;
                break;
            }
        }
        if (cut == 0 || (cut < minDeadBytes && (double)cut / length < minDeadRatio))
            return 0;
        try
        {
            // Replays that started on the old log keep reading it; the old log is not written again.
            await LogCompactor.DropPrefixAsync(EventsPath, cut, _options, CompactionStepHook).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new IOException($"Could not compact the log of persistence id '{PersistenceId}' ('{EventsPath}'): {e.Message}", e);
        }
        finally
        {
            // Whether the rename happened or not, the next operation opens whatever the name now holds, afresh.
            var old = _events;
            _events = null;
            await old.DisposeAsync().ConfigureAwait(false);
        }
        await LoadAsync().ConfigureAwait(false);
        return cut;
    }

    /// <summary>Replays stored events within the bounds, skipping deleted ones, in sequence order.</summary>
    public async Task ReplayAsync(long fromSequenceNr, long toSequenceNr, long max, PayloadSerializer serializer, Action<IPersistentRepresentation> recoveryCallback)
    {
        await RunInOrder(async () => { await LoadAsync().ConfigureAwait(false); return true; }).ConfigureAwait(false);
        long from = Math.Max(fromSequenceNr, DeletedTo + 1);
        if (max <= 0 || from > toSequenceNr)
            return;
        long replayed = 0, previous = 0;
        await foreach (var line in MiniStoreLog.ReadAsync(EventsPath, 0, 1, _events!.Length, _options).ConfigureAwait(false))
        {
            // Records before the replayed range (those a snapshot covers) are only checked for order, not parsed whole.
            long sequenceNr = EventRecord.PeekSequenceNr(line.Json.Span, PersistenceId) ?? CheckedRecord(line, EventsPath).SequenceNr;
            if (sequenceNr <= previous)
                throw new CorruptLogException(EventsPath, line.LineNumber, line.Offset, $"sequence number {sequenceNr} of persistence id '{PersistenceId}' does not follow {previous}");
            previous = sequenceNr;
            if (sequenceNr < from)
                continue;
            if (sequenceNr > toSequenceNr)
                break;
            var record = CheckedRecord(line, EventsPath);
            long lineNumber = line.LineNumber;
            recoveryCallback(record.ToPersistent(serializer, () => $"Log '{EventsPath}' line {lineNumber} (persistence id '{PersistenceId}', sequence number {sequenceNr})"));
            if (++replayed >= max)
                break;
        }
    }

    private EventRecord CheckedRecord(in LogRecord line, string path)
    {
        var record = EventRecord.Read(line, path);
        if (record.PersistenceId != PersistenceId)
            throw new CorruptLogException(path, line.LineNumber, line.Offset, $"record belongs to persistence id '{record.PersistenceId}', expected '{PersistenceId}'");
        return record;
    }

    public async ValueTask DisposeAsync()
    {
        try { await RunInOrder(() => Task.FromResult(true)).ConfigureAwait(false); } catch { }
        if (_events is not null) await _events.DisposeAsync().ConfigureAwait(false);
        if (_deletions is not null) await _deletions.DisposeAsync().ConfigureAwait(false);
    }
}
