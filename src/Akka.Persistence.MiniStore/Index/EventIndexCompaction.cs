using Akka.Event;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Index;

/// <summary>
/// Compaction of the event index: entries of deleted events are dropped, as the logs drop their deleted prefixes, so
/// that on a device that snapshots and deletes, the index (about 64 bytes per event) does not grow with every event
/// ever written. The journal reports each deletion (<see cref="Deleted"/>); the entries it made dead are counted in the
/// background, and once they are at least as many as the live ones (and at least <see cref="MinDeadEntries"/>), the
/// index is read (<see cref="IndexSurvey"/>) and rewritten without them (<see cref="IndexRewrite"/>), crash-safe.
/// <para>
/// Appends go on meanwhile: only the entries appended during the copy are copied, and the file renamed, under the
/// index's lock. Entries keep their orderings, so offsets handed out stay valid: a query finds its place in the new
/// file by ordering (it never saw the dropped events as anything but deleted). The check mark is removed (durably)
/// before the rename and set to the new file's length after, when the whole new file was fsync'd.
/// </para>
/// </summary>
internal sealed partial class EventIndex
{
    /// <summary>Fewest dead entries worth a compaction (about 256 KiB of index).</summary>
    internal const long MinDeadEntries = 4096;

    private readonly HashSet<string> _deletions = new(); // ids whose deletions are not counted yet
    private Task? _compacting;
    private volatile bool _stopping;
    private long _appended;  // entries appended since the journal started
    private Census? _census; // read by the compaction worker only; null until the index is first read after start

    /// <summary>
    /// The events of <paramref name="persistenceId"/> up to its deletion mark were deleted: called by the journal after
    /// each deletion. Returns at once; counting and compacting run in the background, one at a time.
    /// </summary>
    public void Deleted(string persistenceId)
    {
        lock (_gate)
        {
            if (_stopping)
                return;
            _deletions.Add(persistenceId);
            _compacting ??= Task.Run(CountAndCompact);
        }
    }

    private void CountAndCompact()
    {
        try { _recovery?.Wait(); } catch { /* reported when it happened */ }
        while (true)
        {
            List<string> ids;
            lock (_gate)
            {
                ids = [.. _deletions];
                _deletions.Clear();
                if (ids.Count == 0 || _stopping || _file is null || _broken is not null)
                {
                    _compacting = null;
                    return;
                }
            }
            try
            {
                if (Count(ids))
                    Compact();
            }
            catch (Exception e)
            {
                _census = null; // counted again from the index at the next deletion
                _log.Error(e, "Compacting the event index '{0}' failed; it stays as it was, and usable", _layout.EventIndex);
            }
        }
    }

    /// <summary>Counts the entries the ids' new deletions made dead; true when a compaction may be due (always before the index was first read).</summary>
    private bool Count(List<string> ids)
    {
        if (_census is not { } census)
            return true;
        long appended = Volatile.Read(ref _appended);
        foreach (string id in ids)
        {
            long deletedTo = DeletedTo(id);
            long before = census.DeletedTo.GetValueOrDefault(id);
            if (deletedTo <= before)
                continue;
            census.DeletedTo[id] = deletedTo;
            long dead = Math.Min(deletedTo - before, census.Live(appended)); // one entry per sequence number: an estimate, made exact by the survey
            census.Kept -= dead;
            census.Dead += dead;
        }
        return census.Due(appended);
    }

    private void Compact()
    {
        long end, appendedAt;
        lock (_gate)
        {
            if (_file is null || _broken is not null)
                return;
            (end, appendedAt) = (_file.Length, _appended);
        }
        if (IndexSurvey.Read(_layout.EventIndex, end, IndexOptions, DeletedTo, () => _stopping) is not { } survey)
            return;
        var census = _census = new Census(survey.Kept, appendedAt, survey.Dead, new Dictionary<string, long>(survey.DeletedTo));
        if (!census.Due(Volatile.Read(ref _appended)))
            return;

        string directory = Path.GetDirectoryName(_layout.EventIndex)!;
        var checkMark = new IndexCheckMark(_layout.EventIndex, _logOptions);
        using var rewrite = new IndexRewrite(_layout.EventIndex, IndexOptions, _logOptions.FileSync);
        if (!rewrite.CopyKept(survey, end, () => _stopping))
            return;
        checkMark.Clear(); // it vouches for the old file's bytes: gone for good before the new file takes the name
        _logOptions.FileSync.SyncDirectory(directory);
        long length;
        lock (_gate)
        {
            if (_file is null || _broken is not null || _stopping)
                return;
            rewrite.Finish(_file, end);
            _file.Dispose();
            _file = null;
            try
            {
                _file = MiniStoreLog.Open(_layout.EventIndex, IndexOptions);
            }
            catch (Exception e)
            {
                _broken = e; // appends stop; the next start catches the index up from the logs
                throw;
            }
            (length, appendedAt) = (_file.Length, _appended);
        }
        _logOptions.FileSync.SyncDirectory(directory);
        _census = new Census(rewrite.Entries, appendedAt, 0, census.DeletedTo);
        try
        {
            checkMark.Move(length); // the whole new file was fsync'd and written from entries read intact
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Could not record that the compacted event index '{0}' is intact (the next start reads it whole): {1}", _layout.EventIndex, e.Message);
        }
        _log.Info("Event index '{0}' compacted: {1} entries of deleted events dropped, {2} kept", _layout.EventIndex, survey.Dead, rewrite.Entries);
    }

    /// <summary>What a persistence id's events are deleted up to; 0 (all its entries kept) when its deletion log cannot be read.</summary>
    private long DeletedTo(string persistenceId)
    {
        try
        {
            return DeletionMark.ReadLast(_layout.DeletionLog(persistenceId), persistenceId, _logOptions)?.DeletedTo ?? 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Event index compaction keeps every entry of persistence id '{0}': its deletion log cannot be read: {1}", persistenceId, e.Message);
            return 0;
        }
    }

    private void StopCompacting()
    {
        Task? running;
        lock (_gate)
        {
            _stopping = true;
            running = _compacting;
        }
        try { running?.Wait(); } catch { /* reported by the worker */ }
    }

    /// <summary>Entries the index holds, kept and dead, as of <see cref="AppendedAt"/> appends; entries appended since are live.</summary>
    private sealed class Census(long kept, long appendedAt, long dead, Dictionary<string, long> deletedTo)
    {
        public long Kept = kept;
        public long Dead = dead;
        public long AppendedAt { get; } = appendedAt;
        public Dictionary<string, long> DeletedTo { get; } = deletedTo;

        public long Live(long appended) => Kept + appended - AppendedAt;

        public bool Due(long appended) => Dead >= MinDeadEntries && Dead >= Live(appended);
    }
}
