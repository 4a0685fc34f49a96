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
        // The engine would create a missing directory; a journal directory that vanished (removed, unmounted) must not
        // silently become a new, empty journal.
        string directory = Path.GetDirectoryName(EventsPath)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Cannot open the log of persistence id '{PersistenceId}' at '{EventsPath}': the journal directory '{directory}' does not exist (removed or unmounted?).");
        MiniStoreLog events;
        try
        {
            events = await MiniStoreLog.OpenAsync(EventsPath, _options).ConfigureAwait(false);
        }
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException) and not CorruptLogException)
        {
            throw new IOException($"Cannot open the log of persistence id '{PersistenceId}' at '{EventsPath}': {e.Message}", e);
        }
        try
        {
            HighestSequenceNr = 0;
            DeletedTo = 0;
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
            await CloseAfterFailureAsync().ConfigureAwait(false);
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
            await CloseAfterFailureAsync().ConfigureAwait(false);
            throw new IOException($"Could not record deletion of events up to {deletedTo} of persistence id '{PersistenceId}' in '{DeletionsPath}': {e.Message}", e);
        }
        DeletedTo = deletedTo;
    }

    /// <summary>Replays stored events within the bounds, skipping deleted ones, in sequence order.</summary>
    public async Task ReplayAsync(long fromSequenceNr, long toSequenceNr, long max, PayloadSerializer serializer, Action<IPersistentRepresentation> recoveryCallback)
    {
        long end = await RunInOrder(async () => { await LoadAsync().ConfigureAwait(false); return _events!.Length; }).ConfigureAwait(false);
        long from = Math.Max(fromSequenceNr, DeletedTo + 1);
        if (max <= 0 || from > toSequenceNr)
            return;
        long replayed = 0, previous = 0;
        await foreach (var line in MiniStoreLog.ReadAsync(EventsPath, 0, 1, end, _options).ConfigureAwait(false))
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

    /// <summary>
    /// Closes the logs after a failed write, so that the next operation reopens them: the engine may have been unable
    /// to cut a failed write back off (a read-only or vanished file system) and then refuses appends, and reopening
    /// checks the file again and repairs what the failure left once the fault is cleared.
    /// </summary>
    private async Task CloseAfterFailureAsync()
    {
        var events = _events;
        var deletions = _deletions;
        _events = null;
        _deletions = null;
        try
        {
            if (events is not null) await events.DisposeAsync().ConfigureAwait(false);
            if (deletions is not null) await deletions.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Persistence id '{0}': closing '{1}' after a failed write failed too: {2}", PersistenceId, EventsPath, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await RunInOrder(() => Task.FromResult(true)).ConfigureAwait(false); } catch { }
        if (_events is not null) await _events.DisposeAsync().ConfigureAwait(false);
        if (_deletions is not null) await _deletions.DisposeAsync().ConfigureAwait(false);
    }
}
