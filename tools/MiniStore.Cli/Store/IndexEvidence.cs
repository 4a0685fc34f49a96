using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Storage;

namespace MiniStore.Cli.Store;

/// <summary>
/// What the event index says was stored, as evidence for the lost-events rule (<see cref="LostEventsException.ThrowIfLost"/>):
/// the highest sequence number it lists per persistence id, read with <see cref="IndexEntry.Read"/> as
/// <see cref="IndexEntry.HighestSequenceNr"/> reads it, but in one pass for the whole store (the journal asks for one
/// id at a time; a verify may ask for thousands), and only once some log looks lost. Keyed by log file name too, so a
/// log that holds no readable record any more is still matched with its id. An index that cannot be read counts as
/// listing nothing, as the journal counts it.
/// </summary>
internal sealed class IndexEvidence(StoreLayout layout)
{
    private Dictionary<string, (string PersistenceId, long HighestSequenceNr)>? _byLogName;

    /// <summary>Why the index could not be read (null when it was, or was not needed).</summary>
    public string? Unreadable { get; private set; }

    /// <summary>The torn tail the index ended in when read (its entries are appended without fsync, so a crash may leave one); its bytes are no evidence.</summary>
    public TornTail? TornTail { get; private set; }

    public string Path => layout.EventIndex;

    /// <summary>The id and highest indexed sequence number of the event log named <paramref name="eventLogFileName"/>, or null when the index lists none.</summary>
    public (string PersistenceId, long HighestSequenceNr)? Of(string eventLogFileName) =>
        Load().TryGetValue(eventLogFileName, out var found) ? found : null;

    private Dictionary<string, (string, long)> Load()
    {
        if (_byLogName is not null)
            return _byLogName;
        var highest = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            if (MiniStoreLog.Exists(Path))
            {
                using var index = MiniStoreLog.Open(Path, LogScanner.ReadOptions, readOnly: true);
                TornTail = index.TornTail;
                foreach (var line in index.Read())
                {
                    var entry = IndexEntry.Read(line, Path);
                    highest[entry.PersistenceId] = Math.Max(entry.SequenceNr, highest.GetValueOrDefault(entry.PersistenceId));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Unreadable = e.Message;
            highest.Clear();
        }
        _byLogName = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var (pid, seq) in highest)
        {
            try
            {
                _byLogName[PersistenceIdFileName.For(pid) + StoreLayout.EventLogExtension] = (pid, seq);
            }
            catch (ArgumentException)
            {
                // An id no log can be named after (not valid Unicode): no log of it to check.
            }
        }
        return _byLogName;
    }
}
