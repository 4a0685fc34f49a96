using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// One persistence id's event log (<c>&lt;name&gt;.jsonl</c>) and deletion marks (<c>&lt;name&gt;.deleted.jsonl</c>),
/// on one file handle with an explicit life:
/// <list type="bullet">
/// <item><b>closed</b>: nothing known; every operation starts by loading.</item>
/// <item><b>loaded</b> (<see cref="Load"/>): the log is opened once (for appending, or for reading when the store or
/// the file cannot be written), its end read for the highest sequence number, checked against what the store recorded
/// as stored, and a torn tail cut. Recovery reads the highest sequence number and replays on this handle, then closes
/// it, so an actor that only recovers holds no file.</item>
/// <item><b>appending</b>: the first write reopens the log for writing if it was open for reading (or not at all), and
/// the log stays open between writes until the <see cref="OpenLogs"/> budget closes it.</item>
/// </list>
/// Operations run one at a time per id (<see cref="KeyedWorkQueue"/>), so this type has no lock.
/// </summary>
internal sealed class PersistenceIdLog(string persistenceId, JournalFiles files)
{
    private MiniStoreLog? _file;
    private bool _loaded;

    public string PersistenceId { get; } = persistenceId;
    public string EventsPath { get; } = files.Layout.EventLog(persistenceId);
    public string DeletionsPath => StoreLayout.DeletionLogOf(EventsPath);
    public long HighestSequenceNr { get; private set; }
    public long DeletedTo { get; private set; }
    public bool HoldsFile => _file is not null;
    /// <summary>When the recovery in progress read the highest sequence number (a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0 when none).</summary>
    public long RecoveryStarted { get; set; }
    /// <summary>Where this log is in <see cref="OpenLogs"/>' list of idle open logs; null when not there.</summary>
    internal LinkedListNode<PersistenceIdLog>? IdleNode { get; set; }

    /// <summary>
    /// Loads the log once: opens it (if it exists), reads the last event and the last deletion mark, refuses to go on
    /// when the log holds less than the store recorded as stored (<see cref="LostEventsException"/>), then cuts a torn
    /// tail. <paramref name="snapshotSequenceNr"/> is the snapshot a recovery starts from (0 without one).
    /// </summary>
    public void Load(long snapshotSequenceNr = 0)
    {
        if (_loaded)
            return;
        try
        {
            bool exists = MiniStoreLog.Exists(EventsPath);
            if (!exists)
                files.CheckDirectory(PersistenceId, EventsPath); // a log missing because its directory vanished is not a new id
            if (!files.IsReadOnly && LogCompactor.RemoveLeftover(EventsPath))
                files.Warn(PersistenceId, $"removed the unfinished copy of a compaction that was stopped before it replaced '{EventsPath}'");
            _file = exists ? files.Open(EventsPath, PersistenceId, orForReading: true) : null;
            var mark = files.Open(() => DeletionMark.ReadLast(DeletionsPath, PersistenceId, files.Options), DeletionsPath, PersistenceId);
            long logged = _file?.LastRecordAtOpen is { } last ? new EventLogCheck(EventsPath, PersistenceId).Read(last).SequenceNr : 0;
            bool suspect = _file is null || _file.Length == 0 || _file.TornTail is not null;
            LostEventsException.ThrowIfLost(PersistenceId, EventsPath, logged, suspect, mark, snapshotSequenceNr,
                () => _file is null ? 0 : files.IndexedHighest(PersistenceId));
            if (_file?.TornTail is not null)
            {
                if (_file.IsReadOnly)
                    files.Warn(PersistenceId, $"'{EventsPath}' ends in a torn tail at byte offset {_file.TornTail.Offset} ({_file.TornTail.Reason}) that is not cut: the file cannot be written. Replay stops before it.");
                else
                    files.Repaired(PersistenceId, _file.RepairTail()!);
            }
            HighestSequenceNr = Math.Max(logged, mark?.HighestSequenceNr ?? 0);
            DeletedTo = mark?.DeletedTo ?? 0;
            _loaded = true;
        }
        catch (CorruptLogException e)
        {
            Close();
            throw files.NamingId(e, PersistenceId);
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>The highest sequence number, for a recovery; the log stays open for the replay that follows unless there is nothing to replay.</summary>
    public long ReadHighestSequenceNr(long fromSequenceNr)
    {
        Load(fromSequenceNr);
        if (HighestSequenceNr == 0 || fromSequenceNr >= HighestSequenceNr)
            Close();
        return HighestSequenceNr;
    }

    /// <summary>Replays stored events within the bounds, skipping deleted ones, in sequence order, on the loaded handle; then closes the log.</summary>
    public void Replay(long fromSequenceNr, long toSequenceNr, long max, Func<LogRecord, EventRecord, IPersistentRepresentation> toPersistent, Action<IPersistentRepresentation> recoveryCallback)
    {
        Load();
        try
        {
            if (_file is not null)
                new LogReplay(_file, PersistenceId, Math.Max(fromSequenceNr, DeletedTo + 1), toSequenceNr, max, toPersistent, recoveryCallback).Run();
        }
        catch (CorruptLogException e)
        {
            throw files.NamingId(e, PersistenceId);
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Appends atomic writes (each a list of event records) with one write and one fsync.</summary>
    public void Append(IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> atomicWrites, long highestSequenceNr)
    {
        Load();
        try
        {
            OpenForAppending().AppendBatches(atomicWrites);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Reopened on the next operation: that checks the file again and repairs what the failure left once the fault is cleared.
            Close();
            throw new IOException($"Could not write events of persistence id '{PersistenceId}' to '{EventsPath}': {e.Message}", e);
        }
        HighestSequenceNr = Math.Max(HighestSequenceNr, highestSequenceNr);
    }

    /// <summary>Durably hides events up to <paramref name="toSequenceNr"/> (capped at the highest written) from replay.</summary>
    public void DeleteTo(long toSequenceNr)
    {
        Load();
        long deletedTo = Math.Min(toSequenceNr, HighestSequenceNr);
        if (deletedTo <= DeletedTo)
            return;
        files.RefuseReadOnly($"delete events of persistence id '{PersistenceId}'");
        try
        {
            files.Open(() => { DeletionMark.Append(DeletionsPath, PersistenceId, new DeletionMark(deletedTo, HighestSequenceNr), files.Options); return true; }, DeletionsPath, PersistenceId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Close();
            throw new IOException($"Could not record deletion of events up to {deletedTo} of persistence id '{PersistenceId}' in '{DeletionsPath}': {e.Message}", e);
        }
        DeletedTo = deletedTo;
    }

    /// <summary>
    /// Physically removes the deleted prefix of the event log (see <see cref="LogCompactor"/>) when it is at least
    /// <paramref name="minDeadBytes"/> or <paramref name="minDeadRatio"/> of the file. The highest sequence number stays
    /// known from the deletion marks even when every event is removed. When the store is shipped, only events every
    /// shipper has delivered are removed: the cut stays below min(deleted to, delivered). Returns the bytes removed.
    /// </summary>
    public long Compact(long minDeadBytes, double minDeadRatio)
    {
        Load();
        if (_file is null || files.IsReadOnly)
            return 0;
        long removable = Math.Min(DeletedTo, files.DeliveredByShippers(PersistenceId));
        if (removable <= 0)
            return 0;
        var log = OpenForAppending();
        var check = new EventLogCheck(EventsPath, PersistenceId);
        long cut = log.Length;
        foreach (var line in log.Read())
            if (check.Skip(line) > removable)
            {
                cut = line.Offset;
                break;
            }
        if (cut == 0 || (cut < minDeadBytes && (double)cut / log.Length < minDeadRatio))
            return 0;
        try
        {
            return LogCompactor.DropPrefix(log, cut);
        }
        catch (Exception e)
        {
            throw new IOException($"Could not compact the log of persistence id '{PersistenceId}' ('{EventsPath}'): {e.Message}", e);
        }
        finally
        {
            Close(); // whether the rename happened or not, the next operation opens whatever the name now holds
        }
    }

    /// <summary>The log open for appending: the loaded handle, or a new one when it was open for reading or not at all (a new id).</summary>
    private MiniStoreLog OpenForAppending()
    {
        if (_file is { IsReadOnly: false } open)
            return open;
        files.RefuseReadOnly($"write events of persistence id '{PersistenceId}'");
        _file?.Dispose();
        _file = null;
        _file = files.Open(EventsPath, PersistenceId, orForReading: false);
        if (_file.TornTail is not null)
            files.Repaired(PersistenceId, _file.RepairTail()!);
        return _file;
    }

    /// <summary>Closes the file and forgets what was loaded: the next operation loads again.</summary>
    public void Close()
    {
        RecoveryStarted = 0;
        _file?.Dispose();
        _file = null;
        _loaded = false;
    }
}
