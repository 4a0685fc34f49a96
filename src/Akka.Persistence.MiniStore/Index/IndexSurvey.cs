using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Index;

/// <summary>
/// What a read of the event index up to an offset found: each persistence id's deleted-to (from its deletion log) and
/// so which entries a compaction keeps: those of events not deleted, and for an id with no such entry its last one,
/// so that the id is still listed (persistence id queries) and its highest sequence number still known. The index's
/// last entry is always kept (it is the last entry of its id, deleted or not): the highest ordering is never lowered.
/// </summary>
internal sealed class IndexSurvey
{
    private readonly Dictionary<string, long> _deletedTo = new();
    private readonly Dictionary<string, (bool HasLive, long LastDead)> _ids = new();

    /// <summary>Entries a compaction keeps (events not deleted, and the last entry of each id with none of those).</summary>
    public long Kept { get; private set; }

    /// <summary>Entries a compaction drops.</summary>
    public long Dead { get; private set; }

    /// <summary>What each persistence id in the index was deleted up to when it was read.</summary>
    public IReadOnlyDictionary<string, long> DeletedTo => _deletedTo;

    /// <summary>Reads the index up to <paramref name="end"/>; <paramref name="deletedTo"/> is asked once per persistence id. Null when stopped.</summary>
    public static IndexSurvey? Read(string indexPath, long end, MiniStoreOptions options, Func<string, long> deletedTo, Func<bool> stopping)
    {
        var survey = new IndexSurvey();
        long entries = 0, dead = 0;
        using (var index = MiniStoreLog.Open(indexPath, options, readOnly: true))
            foreach (var line in index.Read())
            {
                if (line.Offset >= end)
                    break;
                if ((++entries & 0xFFF) == 0 && stopping())
                    return null;
                var entry = IndexEntry.Read(line, indexPath);
                if (!survey._deletedTo.TryGetValue(entry.PersistenceId, out long to))
                    survey._deletedTo[entry.PersistenceId] = to = deletedTo(entry.PersistenceId);
                var id = survey._ids.GetValueOrDefault(entry.PersistenceId);
                if (entry.SequenceNr > to)
                    survey._ids[entry.PersistenceId] = (true, id.LastDead);
                else
                {
                    survey._ids[entry.PersistenceId] = (id.HasLive, entry.Ordering);
                    dead++;
                }
            }
        long keptLast = survey._ids.Values.Count(id => !id.HasLive);
        (survey.Kept, survey.Dead) = (entries - dead + keptLast, dead - keptLast);
        return survey;
    }

    public bool Keeps(in IndexEntry entry) =>
        entry.SequenceNr > _deletedTo.GetValueOrDefault(entry.PersistenceId)
        || (_ids.TryGetValue(entry.PersistenceId, out var id) && !id.HasLive && id.LastDead == entry.Ordering);
}
