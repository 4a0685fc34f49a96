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
/// </summary>
internal sealed class EventIndexRecovery(StoreLayout layout, MiniStoreOptions logOptions, MiniStoreOptions indexOptions, UnixFileMode directoryMode, ILoggingAdapter log)
{
    private readonly string _path = layout.EventIndex;
    private readonly IndexCheckMark _checkMark = new(layout.EventIndex, logOptions);

    /// <summary>The index the catch-up may fail with, carrying the last ordering of the readable logs (orderings go on above it).</summary>
    public sealed class Failure(string message, long lastOrdering, Exception? inner = null) : IOException(message, inner)
    {
        public long LastOrdering { get; } = lastOrdering;
    }

    /// <summary>The index open for appending (null for a read-only store) and the last ordering stored.</summary>
    public (MiniStoreLog? Index, long LastOrdering) Run(bool readOnly)
    {
        long lastStored = 0;
        var behind = new List<(string Log, long LastOrdering)>();
        var unreadable = new List<Exception>();
        foreach (var eventLog in layout.EventLogs())
        {
            try
            {
                long last = LastOrdering(eventLog);
                lastStored = Math.Max(lastStored, last);
                behind.Add((eventLog, last));
            }
            catch (IOException e) { unreadable.Add(e); } // every readable log still counts for the next ordering
        }
        if (readOnly)
        {
            if (unreadable.Count > 0)
                throw new Failure("Event logs could not be read: " + string.Join("; ", unreadable.Select(e => e.Message)), lastStored);
            return (null, lastStored);
        }
        if (unreadable.Count > 0)
            throw new Failure("Event logs could not be read: " + string.Join("; ", unreadable.Select(e => e.Message)), lastStored, new AggregateException(unreadable));

        DurableDirectory.Create(Path.GetDirectoryName(_path)!, logOptions.FileSync, directoryMode); // owner-only, as every directory of the store
        var (index, lastIndexed) = OpenChecked();
        try
        {
            if (index is null)
                return Rebuild(lastStored);
            var missing = behind.Where(b => b.LastOrdering > lastIndexed).ToList();
            if (missing.Count > 0)
            {
                var entries = new List<IndexEntry>();
                foreach (var (eventLog, _) in missing)
                    Scan(eventLog, lastIndexed, entries);
                entries.Sort(static (a, b) => a.Ordering.CompareTo(b.Ordering));
                EventIndex.Write(index, entries);
                log.Info("Event index '{0}' caught up with {1} events from {2} logs", _path, entries.Count, missing.Count);
            }
            return (index, Math.Max(lastIndexed, lastStored));
        }
        catch
        {
            index?.Dispose();
            throw;
        }
    }

    /// <summary>The index and its last ordering once the part written since the last check is read whole; null when it must be rebuilt.</summary>
    private (MiniStoreLog? Index, long LastOrdering) OpenChecked()
    {
        if (!MiniStoreLog.Exists(_path))
            return (null, 0);
        MiniStoreLog? index = null;
        try
        {
            index = MiniStoreLog.Open(_path, indexOptions);
            index.RepairTail();
            long checkedTo = _checkMark.Read(index.Length);
            foreach (var _ in index.Read(checkedTo, checkedTo == 0 ? 1 : 0)) { }
            if (index.Length > checkedTo)
                MoveCheckMark(index.Length);
            if (index.LastRecordAtOpen is { } last && index.Length > 0)
                return (index, IndexEntry.Read(last, _path).Ordering);
        }
        catch (CorruptLogException e)
        {
            log.Warning("Event index is damaged and will be rebuilt from the logs: {0}", e.Message);
        }
        index?.Dispose();
        return (null, 0);
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
    private (MiniStoreLog Index, long LastOrdering) Rebuild(long lastStored)
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
        return (MiniStoreLog.Open(_path, indexOptions), lastStored);
    }

    /// <summary>The ordering of a log's last event, read from its end (0 for an empty log).</summary>
    private long LastOrdering(string eventLog)
    {
        using var file = MiniStoreLog.Open(eventLog, logOptions, readOnly: true);
        return file.LastRecordAtOpen is { } last ? EventRecord.Read(last, eventLog).Ordering : 0;
    }

    /// <summary>
    /// Adds the entries of a log's events above <paramref name="afterOrdering"/>. Orderings increase through a log, so a
    /// catch-up starts at the first event it misses, found by a binary search, not at the start of the log. Every
    /// record must carry its ordering: one without is damage (no released format wrote such records).
    /// </summary>
    private void Scan(string eventLog, long afterOrdering, List<IndexEntry> entries)
    {
        using var file = MiniStoreLog.Open(eventLog, logOptions, readOnly: true);
        long start = afterOrdering == 0 ? 0 : file.Seek(line => EventRecord.Read(line, eventLog).Ordering, afterOrdering + 1);
        var tagLists = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var line in file.Read(start, start == 0 ? 1 : 0))
        {
            var record = EventRecord.Read(line, eventLog);
            if (record.Ordering <= 0)
                throw new CorruptLogException(eventLog, line.LineNumber, line.Offset, $"event record lacks \"{RecordFields.Ordering}\", its position in the journal");
            if (record.Ordering > afterOrdering)
                entries.Add(new IndexEntry(record.Ordering, record.PersistenceId, record.SequenceNr, Shared(record.Tags, tagLists)));
        }
    }

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
