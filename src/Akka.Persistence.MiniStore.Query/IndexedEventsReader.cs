using Akka.Persistence.MiniStore.Storage;
using Akka.Persistence.Query;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>
/// Reads events in ordering order through the event index (events by tag, all events): a chunk of index entries
/// after the last ordering given, then those events from their logs. Each persistence id's log is read forward from
/// where the previous chunk left it, so a query reads each log once, never whole into memory. An event that cannot
/// be read fails the query after the events before it are delivered; queries that do not need it are not affected.
/// </summary>
internal sealed class IndexedEventsReader(StoredEvents events, Func<IndexEntry, bool> wanted, long afterOrdering, int maxBufferSize, bool current)
{
    private readonly LogCursor _index = events.Index().StartAfter(afterOrdering);
    private readonly Dictionary<string, LogCursor> _logs = new();
    private bool _started;

    public async Task<Chunk<EventEnvelope>> ReadAsync()
    {
        await events.IndexReady.ConfigureAwait(false);
        if (!_started && current)
            _index.EndAtWhatIsStored(); // once the index is caught up with the logs
        _started = true;
        var entries = new List<IndexEntry>();
        bool atEnd = _index.Read((line, _) =>
        {
            var entry = IndexEntry.Read(line, _index.Path);
            if (wanted(entry))
                entries.Add(entry);
            return entries.Count < maxBufferSize;
        });
        var (envelopes, failure) = Envelopes(entries);
        return new Chunk<EventEnvelope>(envelopes, atEnd, Finished: current && _index.Finished, failure);
    }

    /// <summary>The envelopes of the entries' events in the entries' order, up to the first event that cannot be read (then also the failure).</summary>
    private (List<EventEnvelope> Envelopes, Exception? Failure) Envelopes(List<IndexEntry> entries)
    {
        var envelopes = new List<EventEnvelope>?[entries.Count];
        int failedAt = entries.Count;
        Exception? failure = null;
        foreach (var group in Enumerable.Range(0, entries.Count).GroupBy(i => entries[i].PersistenceId))
        {
            var indexes = group.ToList();
            if (ReadEvents(group.Key, entries, indexes, envelopes) is { } failed && (failure is null || failed.At < failedAt))
                (failedAt, failure) = failed;
        }
        var ordered = new List<EventEnvelope>(failedAt);
        for (int i = 0; i < failedAt; i++)
            if (envelopes[i] is { } list)
                ordered.AddRange(list);
        return (ordered, failure);
    }

    /// <summary>Reads one persistence id's events of the chunk from its log; returns where and why it failed, or null.</summary>
    private (int At, Exception Failure)? ReadEvents(string pid, List<IndexEntry> entries, List<int> indexes, List<EventEnvelope>?[] envelopes)
    {
        if (!_logs.TryGetValue(pid, out var log))
            _logs[pid] = log = events.EventLog(pid);
        var bySequenceNr = indexes.ToDictionary(i => entries[i].SequenceNr);
        var found = new HashSet<long>();
        long lastSequenceNr = entries[indexes[^1]].SequenceNr;
        long deletedTo = 0;
        try
        {
            deletedTo = events.DeletedTo(pid);
            log.Read((line, sequenceNr) =>
            {
                if (bySequenceNr.TryGetValue(sequenceNr, out int i))
                {
                    if (sequenceNr > deletedTo)
                        events.AddEnvelopes(events.Read(line, log.Path, pid), Offset.Sequence(entries[i].Ordering), line, log.Path, envelopes[i] = new List<EventEnvelope>(1));
                    found.Add(sequenceNr);
                }
                return sequenceNr < lastSequenceNr;
            }, upToKey: lastSequenceNr);
            if (found.Count == indexes.Count)
                return null;
            // Deleted events may be gone from the log (compaction), also when deleted while this chunk was read.
            deletedTo = events.DeletedTo(pid);
            var lacking = indexes.Where(i => !found.Contains(entries[i].SequenceNr) && entries[i].SequenceNr > deletedTo).ToList();
            return lacking.Count == 0
                ? null
                : (lacking[0], new IOException($"The event index '{events.IndexPath}' lists events of persistence id '{pid}' that its log '{log.Path}' lacks and that are not deleted " +
                                               $"(sequence numbers {string.Join(", ", lacking.Take(5).Select(i => entries[i].SequenceNr))}{(lacking.Count > 5 ? ", ..." : "")}). " +
                                               "Stop the journal and delete the index: it is rebuilt from the logs on the next start."));
        }
        catch (Exception e)
        {
            // The first of this id's events not delivered is where the query must stop.
            int at = indexes.FirstOrDefault(i => !found.Contains(entries[i].SequenceNr) && entries[i].SequenceNr > deletedTo, entries.Count);
            return (at, StoredEvents.NamingId(e, pid));
        }
    }
}
