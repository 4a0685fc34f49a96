using Akka.Persistence.MiniStore.Storage;
using Akka.Persistence.Query;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>
/// Reads events in ordering order through the event index (events by tag, all events): a chunk of index entries
/// after the last ordering given, then those events from their logs. Each persistence id's log is read forward from
/// where the previous chunk left it, so a query reads each log once, never whole into memory.
/// </summary>
internal sealed class IndexedEventsReader(StoredEvents events, Func<IndexEntry, bool> wanted, long afterOrdering, int maxBufferSize, bool current)
{
    private readonly LogCursor _index = events.Index();
    private readonly Dictionary<string, LogCursor> _logs = new();
    private long _afterOrdering = afterOrdering;
    private long? _end;

    public async Task<Chunk<EventEnvelope>> ReadAsync()
    {
        await events.IndexReady.ConfigureAwait(false);
        _end ??= current ? _index.CurrentLength() : long.MaxValue;
        var entries = new List<IndexEntry>();
        await _index.ReadAsync(_end.Value, line =>
        {
            var entry = IndexEntry.Read(line, _index.Path);
            if (entry.Ordering > _afterOrdering && wanted(entry))
                entries.Add(entry);
            return entries.Count < maxBufferSize;
        }).ConfigureAwait(false);
        if (entries.Count == 0)
            return new Chunk<EventEnvelope>([], AtEnd: true);
        _afterOrdering = entries[^1].Ordering;
        return new Chunk<EventEnvelope>(await EnvelopesAsync(entries).ConfigureAwait(false), AtEnd: entries.Count < maxBufferSize);
    }

    private async Task<List<EventEnvelope>> EnvelopesAsync(List<IndexEntry> entries)
    {
        var envelopes = new List<EventEnvelope>?[entries.Count];
        foreach (var group in Enumerable.Range(0, entries.Count).GroupBy(i => entries[i].PersistenceId))
        {
            string pid = group.Key;
            if (!_logs.TryGetValue(pid, out var log))
                _logs[pid] = log = events.EventLog(pid);
            long deletedTo = await events.DeletedToAsync(pid).ConfigureAwait(false);
            var bySequenceNr = group.ToDictionary(i => entries[i].SequenceNr);
            long lastSequenceNr = entries[group.Last()].SequenceNr;
            var missing = new HashSet<long>(bySequenceNr.Keys);
            await log.ReadAsync(long.MaxValue, line =>
            {
                var record = events.Read(line, log.Path, pid);
                if (bySequenceNr.TryGetValue(record.SequenceNr, out int i))
                {
                    missing.Remove(record.SequenceNr);
                    if (record.SequenceNr > deletedTo)
                        events.AddEnvelopes(record, Offset.Sequence(entries[i].Ordering), line, log.Path, envelopes[i] = new List<EventEnvelope>(1));
                }
                return record.SequenceNr < lastSequenceNr;
            }, upToSequenceNr: lastSequenceNr).ConfigureAwait(false);
            // Deleted events may be gone from the log (compaction), also when deleted while this chunk was read.
            if (missing.Count > 0 && missing.Max() > await events.DeletedToAsync(pid).ConfigureAwait(false))
                throw new IOException($"The event index '{events.IndexPath}' lists {bySequenceNr.Count} events of persistence id '{pid}' up to sequence number {lastSequenceNr}, but its log '{log.Path}' lacks {missing.Count} of them that are not deleted. Stop the journal and delete the index: it is rebuilt from the logs on the next start.");
        }
        var ordered = new List<EventEnvelope>(entries.Count);
        foreach (var list in envelopes)
            if (list is not null)
                ordered.AddRange(list);
        return ordered;
    }
}
