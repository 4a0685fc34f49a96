using System.Text.Json;
using Akka.Event;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// The journal's view of one persistence id: its event log (<c>&lt;name&gt;.jsonl</c>), its deletion marks
/// (<c>&lt;name&gt;.deleted.jsonl</c>), the highest sequence number and the deleted-to mark. Every operation on the id
/// runs after the previous one has finished, so writes land in call order and a read of the highest sequence number
/// sees every write issued before it, including ones still in flight when it was asked. Operations take their file
/// handles from the journal's <see cref="OpenFileBudget"/>, which may close the log between operations; the next one
/// reopens it. A replay closes the log when it ends: an actor that only recovers holds no file, and its first write
/// reopens the log.
/// </summary>
internal sealed class PersistenceIdLog : IAsyncDisposable
{
    private readonly MiniStoreOptions _options;
    private readonly ILoggingAdapter _log;
    private readonly OpenFileBudget _budget;
    private readonly object _gate = new();
    private Task _last = Task.CompletedTask;
    private int _queued; // operations queued or running; _last is dropped when none is, so that it keeps no finished operation alive
    private MiniStoreLog? _events;
    private long? _closedLength; // the length of an event log closed after a replay while what was loaded stays known
    private bool _loaded;
    private readonly string _directory;

    public PersistenceIdLog(string persistenceId, string directory, MiniStoreOptions options, OpenFileBudget budget, ILoggingAdapter log)
    {
        PersistenceId = persistenceId;
        EventsPath = JournalFiles.EventLog(directory, persistenceId);
        _directory = directory;
        _options = options;
        _budget = budget;
        _log = log;
    }

    public string PersistenceId { get; }
    public string EventsPath { get; }
    public string DeletionsPath => JournalFiles.DeletionLog(_directory, PersistenceId); // rarely needed: not kept per id
    public long HighestSequenceNr { get; private set; }
    public long DeletedTo { get; private set; }
    /// <summary>True while the event log's file is open (the budget counts a handle for it between operations).</summary>
    internal bool HoldsOpenFile => _events is not null;
    /// <summary>Where this log is in the budget's list of open logs without a running operation; null when not there.</summary>
    internal LinkedListNode<PersistenceIdLog>? IdleNode { get; set; }

    /// <summary>
    /// Runs <paramref name="operation"/> once every operation queued before it has finished (successfully or not) and
    /// the budget has handles for it.
    /// </summary>
    public Task<T> RunInOrder<T>(Func<Task<T>> operation)
    {
        lock (_gate)
        {
            _queued++;
            var next = After(_last, this, operation);
            _last = next;
            return next;
        }

        static async Task<T> After(Task previous, PersistenceIdLog log, Func<Task<T>> operation)
        {
            try { await previous.ConfigureAwait(false); } catch { /* its caller was told */ }
            await log._budget.BeginAsync(log).ConfigureAwait(false);
            try
            {
                return await operation().ConfigureAwait(false);
            }
            finally
            {
                log._budget.End(log);
                lock (log._gate)
                    if (--log._queued == 0)
                        log._last = Task.CompletedTask;
            }
        }
    }

    /// <summary>
    /// Opens the log (repairing a torn tail) and reads the highest sequence number and deleted-to mark, once. A log
    /// that does not exist yet is not created: an actor that only recovers leaves no file behind.
    /// </summary>
    public async Task LoadAsync()
    {
        if (_loaded)
            return;
        try
        {
            await LoadFilesAsync().ConfigureAwait(false);
        }
        catch (CorruptLogException e)
        {
            throw NamingThisId(e);
        }
    }

    /// <summary>Damage found by the engine, with the persistence id whose recovery it stops added when the message lacks it.</summary>
    private CorruptLogException NamingThisId(CorruptLogException e) =>
        e.Problem.Contains($"persistence id '{PersistenceId}'", StringComparison.Ordinal)
            ? e
            : new CorruptLogException(e.LogPath, e.LineNumber, e.Offset, $"{e.Problem} (in the log of persistence id '{PersistenceId}')", e);

    private async Task LoadFilesAsync()
    {
        // The engine would create a missing directory; a journal directory that vanished (removed, unmounted) must not
        // silently become a new, empty journal.
        string directory = Path.GetDirectoryName(EventsPath)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Cannot open the log of persistence id '{PersistenceId}' at '{EventsPath}': the journal directory '{directory}' does not exist (removed or unmounted?).");
        if (LogCompactor.RemoveLeftover(EventsPath))
            _log.Warning("Persistence id '{0}': removed the unfinished copy of a compaction that was stopped before it replaced '{1}'", PersistenceId, EventsPath);
        MiniStoreLog? events;
        try
        {
            events = File.Exists(EventsPath) ? await MiniStoreLog.OpenAsync(EventsPath, _options).ConfigureAwait(false) : null;
        }
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException) and not CorruptLogException)
        {
            throw new IOException($"Cannot open the log of persistence id '{PersistenceId}' at '{EventsPath}': {e.Message}", e);
        }
        try
        {
            if (events?.Repair is { } repair)
                _log.Warning("Persistence id '{0}': {1}", PersistenceId, repair);
            if (events?.LastRecordAtOpen is { } last)
                HighestSequenceNr = CheckedRecord(last, EventsPath).SequenceNr;
            if (await DeletionMark.ReadLastAsync(DeletionsPath, PersistenceId, _options).ConfigureAwait(false) is { } mark)
            {
                DeletedTo = mark.DeletedTo;
                HighestSequenceNr = Math.Max(HighestSequenceNr, mark.HighestSequenceNr);
            }
            _events = events;
            _closedLength = null;
            _loaded = true;
        }
        catch
        {
            if (events is not null) await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Appends atomic writes (each a list of event records) with one fsync.</summary>
    public async Task AppendAsync(IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> atomicWrites, long highestSequenceNr)
    {
        await LoadAsync().ConfigureAwait(false);
        try
        {
            if (_events is null)
                await OpenEventsAsync().ConfigureAwait(false);
            await _events!.AppendWrittenJsonBatchesAsync(atomicWrites).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            CloseAfterFailure();
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
        var mark = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            [RecordFields.PersistenceId] = PersistenceId,
            [RecordFields.DeletedTo] = deletedTo,
            [RecordFields.HighestSequenceNr] = HighestSequenceNr,
        });
        try
        {
            // Deletions are rare: the deletion log is not kept open.
            await using var deletions = await MiniStoreLog.OpenAsync(DeletionsPath, _options).ConfigureAwait(false);
            await deletions.AppendJsonAsync(mark).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            CloseAfterFailure();
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
        if (_closedLength is not null)
            await OpenEventsAsync().ConfigureAwait(false);
        if (_events is null)
            return 0;
        long length = _events.Length, cut = length;
        await foreach (var line in MiniStoreLog.ReadAsync(EventsPath, 0, 1, length, _options).ConfigureAwait(false))
        {
            long sequenceNr = SequenceNrOf(line);
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
            _closedLength = null;
            _loaded = false;
            await old.DisposeAsync().ConfigureAwait(false);
        }
        await LoadAsync().ConfigureAwait(false);
        return cut;
    }

    /// <summary>Replays stored events within the bounds, skipping deleted ones, in sequence order, after every write queued before.</summary>
    public Task ReplayAsync(long fromSequenceNr, long toSequenceNr, long max, PayloadSerializer serializer, Action<IPersistentRepresentation> recoveryCallback) =>
        RunInOrder(async () =>
        {
            await LoadAsync().ConfigureAwait(false);
            try
            {
                await ReplayLoadedAsync(fromSequenceNr, toSequenceNr, max, serializer, recoveryCallback).ConfigureAwait(false);
            }
            catch (CorruptLogException e)
            {
                throw NamingThisId(e);
            }
            finally
            {
                CloseAfterReplay();
            }
            return true;
        });

    private async Task ReplayLoadedAsync(long fromSequenceNr, long toSequenceNr, long max, PayloadSerializer serializer, Action<IPersistentRepresentation> recoveryCallback)
    {
        long from = Math.Max(fromSequenceNr, DeletedTo + 1);
        if (max <= 0 || from > toSequenceNr || (_events?.Length ?? _closedLength) is not { } length)
            return;
        // Sequence numbers increase through the log, so the batch holding `from` is found by a binary search (a few
        // lines read, whatever the log's length); the lines before it are not read. Line numbers are counted only for a
        // read from the start; damage further on is still reported with its line (see CorruptLogException).
        long start = from <= 1 ? 0 : await MiniStoreLog.SeekAsync(EventsPath, SequenceNrOf, from, length, _options).ConfigureAwait(false);
        using var replay = new ReplayCursor(this, from, toSequenceNr, max, serializer, recoveryCallback);
        await foreach (var line in MiniStoreLog.ReadAsync(EventsPath, start, start == 0 ? 1 : 0, length, _options).ConfigureAwait(false))
            replay.Read(line);
    }

    /// <summary>
    /// One replay's progress through the log: checks each record's place in the sequence and hands those in range to
    /// Akka's recovery callback, in blocks (of up to 256) rather than one at a time as they are parsed. Each call tells
    /// the recovering actor (through Akka's replay filter) one message; one at a time, parsing is slower than the
    /// actor's handling, so its mailbox ran empty after nearly every event and each message scheduled it on the thread
    /// pool again. Disposing delivers what is pending, also when the replay stops at damage: the events before it
    /// reach the actor as they did one at a time.
    /// </summary>
    private sealed class ReplayCursor(PersistenceIdLog log, long from, long to, long max, PayloadSerializer serializer, Action<IPersistentRepresentation> recoveryCallback) : IDisposable
    {
        private const int MaxBlock = 256;
        private readonly EventRecordStrings _strings = new(log.PersistenceId);
        private readonly IPersistentRepresentation[] _pending = new IPersistentRepresentation[Math.Clamp(Math.Min(max, to - from + 1), 1, MaxBlock)];
        private int _count;
        private long _previous, _replayed;

        public void Read(in LogRecord line)
        {
            // Records outside the replayed range are only checked for order, not parsed whole. Past the bounds the rest
            // is still checked, not skipped: the highest sequence number recovery was told is the last record's, which
            // is only true if the numbers increase to the end. Once the range is reached the next record is expected
            // in it and parsed whole at once.
            EventRecord? record = _previous + 1 >= from && _previous < to && _replayed < max ? log.CheckedRecord(line, log.EventsPath, _strings) : null;
            long sequenceNr = record?.SequenceNr ?? log.SequenceNrOf(line);
            if (sequenceNr <= _previous)
                throw new CorruptLogException(log.EventsPath, line.LineNumber, line.Offset, $"sequence number {sequenceNr} of persistence id '{log.PersistenceId}' does not follow {_previous}");
            _previous = sequenceNr;
            if (sequenceNr < from || sequenceNr > to || _replayed >= max)
                return;
            var persistent = (record ?? log.CheckedRecord(line, log.EventsPath, _strings)).ToPersistent(serializer, log.EventsPath, line);
            _pending[_count++] = persistent; // not counted before it is read: a payload that fails to read leaves no empty slot
            _replayed++;
            if (_count == _pending.Length)
                Deliver();
        }

        private void Deliver()
        {
            // Emptied first: a callback that throws (an event adapter failing) ends the replay with its exception, and
            // Dispose must not hand the block to Akka a second time.
            int count = _count;
            _count = 0;
            for (int i = 0; i < count; i++)
            {
                var persistent = _pending[i];
                _pending[i] = null!;
                recoveryCallback(persistent);
            }
        }

        public void Dispose() => Deliver();
    }

    /// <summary>A record's sequence number, read from its leading fields; a record that does not plainly match is read whole, which explains what is wrong.</summary>
    private long SequenceNrOf(LogRecord line) =>
        EventRecord.PeekSequenceNr(line.Json.Span, PersistenceId) ?? CheckedRecord(line, EventsPath).SequenceNr;

    /// <summary>
    /// Closes the event log after a replay, keeping its length, highest sequence number and deleted-to mark: a
    /// recovered actor that does not write holds no file (and in the budget no handle). The journal owns the directory,
    /// so what was loaded stays true until this journal writes, which reopens the log.
    /// </summary>
    private void CloseAfterReplay()
    {
        if (_events is not { } events)
            return;
        _closedLength = events.Length;
        _events = null;
        events.Dispose();
    }

    /// <summary>Opens the event log for writing (creating it for a new id, reopening it after a replay closed it), checking it as every open does.</summary>
    private async Task OpenEventsAsync()
    {
        _events = await MiniStoreLog.OpenAsync(EventsPath, _options).ConfigureAwait(false);
        _closedLength = null;
    }

    private EventRecord CheckedRecord(in LogRecord line, string path, EventRecordStrings? strings = null)
    {
        var record = EventRecord.Read(line, path, strings);
        if (record.PersistenceId != PersistenceId)
            throw new CorruptLogException(path, line.LineNumber, line.Offset, $"record belongs to persistence id '{record.PersistenceId}', expected '{PersistenceId}'");
        return record;
    }

    /// <summary>
    /// Closes the log's file. Called by the budget only while no operation runs on this log, so no append is in flight;
    /// the next operation reopens and reloads it.
    /// </summary>
    internal void CloseFiles()
    {
        _events?.Dispose();
        _events = null;
        _closedLength = null;
        _loaded = false;
        HighestSequenceNr = 0;
        DeletedTo = 0;
    }

    /// <summary>
    /// Closes the log after a failed write, so that the next operation reopens and reloads it: the engine may have been
    /// unable to cut a failed write back off (a read-only or vanished file system) and then refuses appends, and
    /// reopening checks the file again and repairs what the failure left once the fault is cleared.
    /// </summary>
    private void CloseAfterFailure()
    {
        try
        {
            CloseFiles();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _events = null;
            _closedLength = null;
            _loaded = false;
            _log.Warning("Persistence id '{0}': closing '{1}' after a failed write failed too: {2}", PersistenceId, EventsPath, e.Message);
        }
    }

    /// <summary>Waits for queued operations, then closes the log.</summary>
    public async ValueTask DisposeAsync()
    {
        Task last;
        lock (_gate) last = _last;
        try { await last.ConfigureAwait(false); } catch { /* its caller was told */ }
        _budget.Close(this);
    }
}
