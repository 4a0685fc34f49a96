using Akka.Persistence.Query;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>Reads one persistence id's events from its log, within sequence number bounds, skipping deleted ones. The offset of each is its sequence number.</summary>
internal sealed class PersistenceIdEventsReader(StoredEvents events, string persistenceId, long fromSequenceNr, long toSequenceNr, int maxBufferSize, bool current)
{
    private readonly LogCursor _log = events.EventLog(persistenceId);
    private bool _started;

    public Task<Chunk<EventEnvelope>> ReadAsync()
    {
        if (fromSequenceNr > toSequenceNr)
            return Task.FromResult(new Chunk<EventEnvelope>([], AtEnd: true, Finished: true));
        var envelopes = new List<EventEnvelope>();
        bool atBound = false, atEnd = false;
        try
        {
            if (!_started && current)
                _log.EndAtWhatIsStored();
            _started = true;
            long deletedTo = events.DeletedTo(persistenceId);
            atEnd = _log.Read((line, sequenceNr) =>
            {
                if (sequenceNr > toSequenceNr)
                {
                    atBound = true;
                    return false;
                }
                if (sequenceNr >= fromSequenceNr && sequenceNr > deletedTo)
                    events.AddEnvelopes(events.Read(line, _log.Path, persistenceId), Offset.Sequence(sequenceNr), line, _log.Path, envelopes);
                atBound = sequenceNr == toSequenceNr;
                return !atBound && envelopes.Count < maxBufferSize;
            });
        }
        catch (Exception e)
        {
            // The events before the one that cannot be read are delivered, then the query fails naming it.
            return Task.FromResult(new Chunk<EventEnvelope>(envelopes, AtEnd: true, Finished: true, StoredEvents.NamingId(e, persistenceId)));
        }
        return Task.FromResult(new Chunk<EventEnvelope>(envelopes, atEnd, Finished: atBound || (current && _log.Finished)));
    }
}
