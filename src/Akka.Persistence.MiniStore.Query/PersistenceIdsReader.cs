using Akka.Persistence.MiniStore.Storage;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>Reads the persistence ids named in the event index (taken from the stored records, not from file names), each once, in the order they first stored an event.</summary>
internal sealed class PersistenceIdsReader(StoredEvents events, int maxBufferSize, bool current)
{
    private readonly LogCursor _index = events.Index();
    private readonly HashSet<string> _seen = new();
    private long? _end;

    public async Task<Chunk<string>> ReadAsync()
    {
        await events.IndexReady.ConfigureAwait(false);
        _end ??= current ? _index.CurrentLength() : long.MaxValue;
        var found = new List<string>();
        await _index.ReadAsync(_end.Value, line =>
        {
            var entry = IndexEntry.Read(line, _index.Path);
            if (_seen.Add(entry.PersistenceId))
                found.Add(entry.PersistenceId);
            return found.Count < maxBufferSize;
        }).ConfigureAwait(false);
        return new Chunk<string>(found, AtEnd: found.Count < maxBufferSize);
    }
}
