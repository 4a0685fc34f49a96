using Akka.Persistence.Query;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>Reads one persistence id's events from its log, within sequence number bounds, skipping deleted ones. The offset of each is its sequence number.</summary>
internal sealed class PersistenceIdEventsReader(StoredEvents events, string persistenceId, long fromSequenceNr, long toSequenceNr, int maxBufferSize, bool current)
{
    private readonly LogCursor _log = events.EventLog(persistenceId);
    private long? _end;

    public async Task<Chunk<EventEnvelope>> ReadAsync()
    {
        if (fromSequenceNr > toSequenceNr)
            return new Chunk<EventEnvelope>([], AtEnd: true, Finished: true);
        _end ??= current ? _log.CurrentLength() : long.MaxValue;
        long deletedTo = await events.DeletedToAsync(persistenceId).ConfigureAwait(false);
        var envelopes = new List<EventEnvelope>();
        bool finished = false;
        await _log.ReadAsync(_end.Value, line =>
        {
            var record = events.Read(line, _log.Path, persistenceId);
            if (record.SequenceNr > toSequenceNr)
            {
                finished = true;
                return false;
            }
            if (record.SequenceNr >= fromSequenceNr && record.SequenceNr > deletedTo)
                events.AddEnvelopes(record, Offset.Sequence(record.SequenceNr), line, _log.Path, envelopes);
            finished = record.SequenceNr == toSequenceNr;
            return !finished && envelopes.Count < maxBufferSize;
        }).ConfigureAwait(false);
        return new Chunk<EventEnvelope>(envelopes, AtEnd: !finished && envelopes.Count < maxBufferSize, finished);
    }
}
