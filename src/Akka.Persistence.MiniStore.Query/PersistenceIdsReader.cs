using Akka.Persistence.MiniStore.Storage;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>Reads the persistence ids named in the event index (taken from the stored records, not from file names), each once, in the order they first stored an event.</summary>
internal sealed class PersistenceIdsReader(StoredEvents events, int maxBufferSize, bool current)
{
    private readonly LogCursor _index = events.Index();
    private readonly HashSet<string> _seen = new();
    private bool _started;

    public async Task<Chunk<string>> ReadAsync()
    {
        await events.IndexReady.ConfigureAwait(false);
        if (!_started && current)
            _index.EndAtWhatIsStored(); // once the index is caught up with the logs
        _started = true;
        var found = new List<string>();
        bool atEnd = _index.Read((line, _) =>
        {
            var entry = IndexEntry.Read(line, _index.Path);
            if (_seen.Add(entry.PersistenceId))
                found.Add(entry.PersistenceId);
            return found.Count < maxBufferSize;
        });
        return new Chunk<string>(found, atEnd, Finished: current && _index.Finished);
    }
}
