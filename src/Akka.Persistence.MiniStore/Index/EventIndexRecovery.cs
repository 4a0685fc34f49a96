using Akka.Event;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Index;

/// <summary>
/// Brings the event index up to date with the logs when the journal starts: the index is appended without fsync, so
/// after a crash it may lack the last events, and after a power loss hold damage in the part written since it was last
/// checked (<see cref="IndexCheckMark"/>). Each log's last ordering is read from its end; the logs beyond the index
/// are scanned from the first event it misses (a binary search) and their entries appended. An index that is missing,
/// empty or damaged is rebuilt from all logs beside the old one and put in place.
/// <para>
/// A damaged log does not stop the index: what can be read of it is indexed (its events up to the damage), the rest
/// is left out with an error naming the log, and orderings go on above every ordering that may exist (the index's
/// last entry, every readable log's last record, and every ordering found in a log whose end cannot be read). Queries
/// that need none of its events go on; one that reaches an event it cannot read fails naming the file and line.
/// </para>
/// </summary>
internal sealed class EventIndexRecovery(StoreLayout layout, MiniStoreOptions logOptions, MiniStoreOptions indexOptions, UnixFileMode directoryMode, ILoggingAdapter log)
{
    private readonly string _path = layout.EventIndex;
    private readonly IndexCheckMark _checkMark = new(layout.EventIndex, logOptions);

    /// <summary>The index the catch-up may fail with, carrying the last ordering that may exist (orderings go on above it).</summary>
    public sealed class Failure(string message, long lastOrdering, Exception? inner = null) : IOException(message, inner)
    {
        public long LastOrdering { get; } = lastOrdering;
    }

    /// <summary>The index open for appending (null for a read-only store) and the last ordering that may exist.</summary>
    public (MiniStoreLog? Index, long LastOrdering) Run(bool readOnly)
    {
        if (!readOnly && AfterCleanStop() is { } upToDate)
            return upToDate;
        long lastStored = 0;
        var readable = new List<(string Log, long LastOrdering)>();
        foreach (var eventLog in layout.EventLogs())
        {
            var (last, whole) = LastOrdering(eventLog);
            lastStored = Math.Max(lastStored, last);
            if (whole)
                readable.Add((eventLog, last));
        }
        if (readOnly)
            return (null, lastStored);

        long lastIndexed = 0;
        try
        {
            DurableDirectory.Create(Path.GetDirectoryName(_path)!, logOptions.FileSync, directoryMode); // owner-only, as every directory of the store
            if (LogCompactor.RemoveLeftover(_path))
                log.Info("Removed the unfinished copy of an event index compaction that was stopped before it replaced '{0}'", _path);
            var (index, indexedTo, damagedBound) = OpenChecked();
            lastIndexed = Math.Max(indexedTo, damagedBound);
            if (index is null)
                return Rebuild(Math.Max(lastStored, damagedBound));
            try
            {
                var missing = readable.Where(b => b.LastOrdering > indexedTo).ToList();
                if (missing.Count > 0)
                {
                    var entries = new List<IndexEntry>();
                    foreach (var (eventLog, _) in missing)
                        Scan(eventLog, indexedTo, entries);
                    entries.Sort(static (a, b) => a.Ordering.CompareTo(b.Ordering));
                    EventIndex.Write(index, entries);
                    log.Info("Event index '{0}' caught up with {1} events from {2} logs", _path, entries.Count, missing.Count);
                }
                return (index, Math.Max(indexedTo, lastStored));
            }
            catch
            {
                index.Dispose();
                throw;
            }
        }
        catch (Exception e)
        {
            throw new Failure(e.Message, Math.Max(lastStored, lastIndexed), e);
        }
    }

    /// <summary>
    /// The index, when the journal that wrote it last stopped cleanly and nothing changed it since (see
    /// <see cref="IndexCheckMark"/>): it holds every stored event, so the logs need not be read. Null otherwise.
    /// </summary>
    private (MiniStoreLog Index, long LastOrdering)? AfterCleanStop()
    {
        if (!MiniStoreLog.Exists(_path) || MiniStoreLog.Exists(_path + LogCompactor.TemporaryExtension))
            return null;
        var index = MiniStoreLog.Open(_path, indexOptions);
        try
        {
            if (index.TornTail is null && index.LastRecordAtOpen is { } last && _checkMark.Read(index.Length) is (var checkedTo, { } handedOut))
            {
                foreach (var _ in index.Read(checkedTo, checkedTo == 0 ? 1 : 0)) { } // what was written since it was last read whole
                _checkMark.Move(index.Length); // superseded before anything is written: a crash from now on is no clean stop
                log.Debug("Event index '{0}' is up to date: the journal stopped cleanly, so the logs are not read", _path);
                return (index, Math.Max(handedOut, IndexEntry.Read(last, _path).Ordering));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Damage found in the part written since the last check, or a mark that cannot be written: the usual way.
            log.Warning("Event index '{0}': the mark of a clean stop could not be used, the logs are read: {1}", _path, e.Message);
        }
        index.Dispose();
        return null;
    }

    /// <summary>
    /// The index and its last ordering once the part written since the last check is read whole; no index when it must
    /// be rebuilt, and then the highest ordering a damaged index may list (the orderings handed out stay above it too).
    /// </summary>
    private (MiniStoreLog? Index, long LastOrdering, long DamagedBound) OpenChecked()
    {
        if (!MiniStoreLog.Exists(_path))
            return (null, 0, 0);
        MiniStoreLog? index = null;
        try
        {
            index = MiniStoreLog.Open(_path, indexOptions);
            index.RepairTail();
            long checkedTo = _checkMark.Read(index.Length).CheckedTo;
            foreach (var _ in index.Read(checkedTo, checkedTo == 0 ? 1 : 0)) { }
            if (index.Length > checkedTo)
                MoveCheckMark(index.Length);
            if (index.LastRecordAtOpen is { } last && index.Length > 0)
                return (index, IndexEntry.Read(last, _path).Ordering, 0);
            index.Dispose();
            return (null, 0, 0);
        }
        catch (CorruptLogException e)
        {
            index?.Dispose();
            log.Warning("Event index is damaged and will be rebuilt from the logs: {0}", e.Message);
            return (null, 0, OrderingBound.Of(_path));
        }
    }

    private void MoveCheckMark(long indexLength)
    {
        try
        {
            _checkMark.Move(indexLength);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warning("Could not record that the event index '{0}' was checked (the next start reads it whole again): {1}", _path, e.Message);
        }
    }

    /// <summary>Writes a new index from every log beside the old one, then puts it in place.</summary>
    private (MiniStoreLog Index, long LastOrdering) Rebuild(long lastOrdering)
    {
        _checkMark.Clear();
        var entries = new List<IndexEntry>();
        var logs = layout.EventLogs().ToList();
        foreach (var eventLog in logs)
            Scan(eventLog, 0, entries);
        entries.Sort(static (a, b) => a.Ordering.CompareTo(b.Ordering));
        string rebuilt = _path + ".rebuild";
        File.Delete(rebuilt);
        using (var index = MiniStoreLog.Open(rebuilt, indexOptions))
            foreach (var chunk in entries.Chunk(4096))
                EventIndex.Write(index, chunk);
        File.Move(rebuilt, _path, overwrite: true);
        log.Info("Event index '{0}' rebuilt from {1} logs: {2} events", _path, logs.Count, entries.Count);
        return (MiniStoreLog.Open(_path, indexOptions), lastOrdering);
    }

    /// <summary>
    /// The ordering of a log's last event, read from its end (0 for an empty log), and whether that end could be read.
    /// When it cannot, the highest ordering found anywhere in the log stands for it (<see cref="OrderingBound"/>).
    /// </summary>
    private (long LastOrdering, bool Readable) LastOrdering(string eventLog)
    {
        try
        {
            using var file = MiniStoreLog.Open(eventLog, logOptions, readOnly: true);
            return (file.LastRecordAtOpen is { } last ? EventRecord.Read(last, eventLog).Ordering : 0, true);
        }
        catch (CorruptLogException e)
        {
            long bound = 0;
            try
            {
                bound = OrderingBound.Of(eventLog);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
            }
            Unreadable(eventLog, e, "its end cannot be read, so none of its events missing from the index is added");
            return (bound, false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Unreadable(eventLog, e, "it cannot be opened, so none of its events missing from the index is added");
            return (0, false);
        }
    }

    /// <summary>
    /// Adds the entries of a log's events above <paramref name="afterOrdering"/>. Orderings increase through a log, so a
    /// catch-up starts at the first event it misses, found by a binary search, not at the start of the log. Every
    /// record must carry its ordering: one without is damage (no released format wrote such records). At damage, the
    /// entries read before it are kept, and the log's last event (read from its end) is listed too: a query that reaches
    /// it reads the log up to the damage and fails naming it, rather than pass over the events it cannot read.
    /// </summary>
    private void Scan(string eventLog, long afterOrdering, List<IndexEntry> entries)
    {
        int before = entries.Count;
        var tagLists = new Dictionary<string, IReadOnlyList<string>>();
        MiniStoreLog? file = null;
        try
        {
            file = MiniStoreLog.Open(eventLog, logOptions, readOnly: true);
            long start = afterOrdering == 0 ? 0 : StartOfMissing(file, eventLog, afterOrdering);
            foreach (var line in file.Read(start, start == 0 ? 1 : 0))
            {
                var record = EventRecord.Read(line, eventLog);
                if (record.Ordering <= 0)
                    throw new CorruptLogException(eventLog, line.LineNumber, line.Offset, $"event record lacks \"{RecordFields.Ordering}\", its position in the journal");
                if (record.Ordering > afterOrdering)
                    entries.Add(new IndexEntry(record.Ordering, record.PersistenceId, record.SequenceNr, Shared(record.Tags, tagLists)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string listed = $"the index lists the {entries.Count - before} of its events before the damage";
            long listedTo = Math.Max(afterOrdering, entries.Count > before ? entries[^1].Ordering : 0);
            if (LastEntry(file, eventLog, tagLists) is { } last && last.Ordering > listedTo)
            {
                entries.Add(last);
                listed += " and its last event";
            }
            Unreadable(eventLog, e, listed);
        }
        finally
        {
            file?.Dispose();
        }
    }

    /// <summary>The entry of a log's last event, read from its end when the log was opened; null when there is none or it cannot be read.</summary>
    private static IndexEntry? LastEntry(MiniStoreLog? file, string eventLog, Dictionary<string, IReadOnlyList<string>> tagLists)
    {
        if (file?.LastRecordAtOpen is not { } line)
            return null;
        try
        {
            var record = EventRecord.Read(line, eventLog);
            return record.Ordering > 0 ? new IndexEntry(record.Ordering, record.PersistenceId, record.SequenceNr, Shared(record.Tags, tagLists)) : null;
        }
        catch (CorruptLogException)
        {
            return null;
        }
    }

    /// <summary>Where the events above <paramref name="afterOrdering"/> start: found by a binary search, or from the start when the search meets damage.</summary>
    private static long StartOfMissing(MiniStoreLog file, string eventLog, long afterOrdering)
    {
        try
        {
            return file.Seek(line => EventRecord.Read(line, eventLog).Ordering, afterOrdering + 1);
        }
        catch (CorruptLogException)
        {
            return 0; // read forward from the start, up to the damage
        }
    }

    private void Unreadable(string eventLog, Exception e, string consequence) =>
        log.Error("The event log '{0}' cannot be read whole ({1}): {2}. Queries that need none of its unreadable events go on; one that reaches such an event fails naming the file and line. " +
                  "Repair or restore the log (docs/OPERATIONS.md), then delete the event index '{3}': the next start rebuilds it with every event of the log.",
            eventLog, e.Message, consequence, _path);

    private static IReadOnlyList<string> Shared(IReadOnlyCollection<string> tags, Dictionary<string, IReadOnlyList<string>> shared)
    {
        if (tags.Count == 0)
            return [];
        string key = string.Join('\u0001', tags);
        if (!shared.TryGetValue(key, out var list))
            shared[key] = list = tags.ToArray();
        return list;
    }
}
