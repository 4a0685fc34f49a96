using Akka.Event;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;
using Microsoft.Win32.SafeHandles;

namespace Akka.Persistence.MiniStore.Index;

/// <summary>
/// The journal's event index (<see cref="StoreLayout.EventIndex"/>) and the orderings it hands out.
/// <para>
/// Every event record carries its ordering ("ord"), written and fsync'd with the event, so the logs alone say in which
/// order events were stored. The index is a cache derived from them, appended without fsync: on start it is caught up
/// from the logs (<see cref="EventIndexRecovery"/>). Writes of different persistence ids finish in any order, so the
/// entries of each journal write wait here until every write with lower orderings is stored or has failed, and are
/// then appended in ordering order (a resequencer): a reader that saw ordering N never later finds a stored event below
/// N it has not seen. Whichever thread completes the gap appends, under one lock: the index file has one writer at a time.
/// </para>
/// <para>
/// Entries of deleted events are dropped by compacting the index (EventIndexCompaction.cs), so that the index, like the
/// logs, stays bounded by what is live.
/// </para>
/// </summary>
internal sealed partial class EventIndex : IDisposable
{
    private readonly StoreLayout _layout;
    private readonly MiniStoreOptions _logOptions;
    private readonly IndexSignal _signal;
    private readonly ILoggingAdapter _log;
    private readonly UnixFileMode _directoryMode;
    private readonly object _gate = new();
    private readonly SortedDictionary<long, Parked> _parked = new(); // writes stored before an earlier one, by first ordering
    private Task? _recovery;
    private MiniStoreLog? _file;
    private long _lastOrdering;  // handed out; only the journal's thread asks
    private long _nextToAppend;  // the first ordering whose write has not been resolved
    private Exception? _broken;

    public EventIndex(StoreLayout layout, MiniStoreOptions logOptions, UnixFileMode directoryMode, IndexSignal signal, ILoggingAdapter log)
    {
        _directoryMode = directoryMode;
        _layout = layout;
        _logOptions = logOptions;
        _signal = signal;
        _log = log;
    }

    /// <summary>The index is a cache rebuilt from the fsync'd logs, so its appends skip the file sync (new files still get their directory entry synced).</summary>
    public MiniStoreOptions IndexOptions => _logOptions with { FileSync = new DirectoryOnlySync(_logOptions.FileSync), ParseRecords = false };

    /// <summary>Starts catching the index up with the logs, in the background; called once the journal owns its directory.</summary>
    public void Start(bool readOnly)
    {
        lock (_gate)
            _recovery ??= Task.Run(() => Recover(readOnly));
    }

    private void Recover(bool readOnly)
    {
        try
        {
            var (file, last) = new EventIndexRecovery(_layout, _logOptions, IndexOptions, _directoryMode, _log).Run(readOnly);
            lock (_gate)
                (_file, _lastOrdering, _nextToAppend) = (file, last, last + 1);
            _signal.SetReady();
            _signal.Notify();
        }
        catch (Exception e)
        {
            // The index itself cannot be written (a damaged log does not come here: the recovery leaves its unreadable
            // part out). Events are still stored, with orderings above every one that may exist; only the index-based
            // queries fail, with this cause.
            long last = e is EventIndexRecovery.Failure failure ? failure.LastOrdering : 0;
            lock (_gate)
                (_broken, _lastOrdering, _nextToAppend) = (e, last, last + 1);
            _log.Error(e, "The event index '{0}' could not be brought up to date with the logs. Events are still stored, but queries by tag, of all events and of persistence ids fail until the cause is fixed and the journal restarted.", _layout.EventIndex);
            _signal.SetFailed(new IOException($"The event index '{_layout.EventIndex}' could not be brought up to date with the logs: {e.Message}", e));
        }
    }

    /// <summary>The first of the next <paramref name="count"/> consecutive orderings. Called only from the journal's thread, in the order events are handed to the logs.</summary>
    public long NextOrderings(int count)
    {
        (_recovery ?? throw new InvalidOperationException("the event index was not started")).Wait();
        long first = _lastOrdering + 1;
        _lastOrdering += count;
        return first;
    }

    /// <summary>
    /// One journal write's orderings <paramref name="first"/>..<paramref name="last"/> are resolved: the entries of its
    /// stored events go into the index (those of failed writes never do; their orderings stay unused) once everything
    /// before them is in. The task completes then, and never fails.
    /// </summary>
    public Task Stored(long first, long last, List<IndexEntry> entries)
    {
        if (last < first)
            return Task.CompletedTask;
        lock (_gate)
        {
            if (first != _nextToAppend)
            {
                var parked = new Parked(last, entries);
                _parked.Add(first, parked);
                return parked.Done.Task;
            }
            Append(last, entries);
            while (_parked.Remove(_nextToAppend, out var next))
            {
                Append(next.Last, next.Entries);
                next.Done.TrySetResult();
            }
        }
        _signal.Notify();
        return Task.CompletedTask;
    }

    private void Append(long last, List<IndexEntry> entries)
    {
        _nextToAppend = last + 1;
        if (entries.Count == 0 || _broken is not null || _file is null)
            return;
        if (!InOrder(entries)) // they are, unless a write's ids took turns
            entries.Sort(static (a, b) => a.Ordering.CompareTo(b.Ordering));
        try
        {
            Write(_file, entries);
            _appended += entries.Count;
        }
        catch (Exception e)
        {
            // Appending later entries after a gap would break the ordering guarantee: stop, and catch up on the next start.
            _broken = e;
            _log.Error(e, "Could not append to the event index '{0}'; queries by tag and of all events see no new events until the journal restarts and catches the index up from the logs.", _layout.EventIndex);
        }
    }

    private static bool InOrder(List<IndexEntry> entries)
    {
        for (int i = 1; i < entries.Count; i++)
            if (entries[i - 1].Ordering > entries[i].Ordering)
                return false;
        return true;
    }

    /// <summary>One frame per entry, whatever the grouping, so that a rebuilt index is byte for byte the index it replaces.</summary>
    internal static void Write(MiniStoreLog index, IReadOnlyList<IndexEntry> entries)
    {
        using var json = IndexEntry.ToJson(entries);
        index.AppendBatches(Array.ConvertAll(json.Records(), record => (IReadOnlyList<ReadOnlyMemory<byte>>)[record]));
    }

    /// <summary>The highest sequence number of <paramref name="persistenceId"/> the index lists (0 when none, or no index): the whole index is read.</summary>
    public long HighestSequenceNr(string persistenceId)
    {
        try
        {
            return IndexEntry.HighestSequenceNr(_layout.EventIndex, persistenceId, IndexOptions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Could not read the event index '{0}' to check the log of persistence id '{1}': {2}", _layout.EventIndex, persistenceId, e.Message);
            return 0;
        }
    }

    /// <summary>
    /// Closes the index. After a clean stop (<paramref name="allWritesResolved"/>: the journal's work drained, and no
    /// write waits here for an earlier one), the index is fsync'd and marked so, and the next start need not read the
    /// logs to catch it up (<see cref="IndexCheckMark"/>).
    /// </summary>
    public void Dispose(bool allWritesResolved)
    {
        try { _recovery?.Wait(); } catch { /* reported when it happened */ }
        StopCompacting();
        lock (_gate)
        {
            if (allWritesResolved && _parked.Count == 0 && _broken is null && _file is not null)
            {
                try
                {
                    new IndexCheckMark(_layout.EventIndex, _logOptions).MarkClean(_file.Length, _lastOrdering);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _log.Warning("Could not mark the event index '{0}' as up to date (the next start reads the end of every log): {1}", _layout.EventIndex, e.Message);
                }
            }
            foreach (var parked in _parked.Values)
                parked.Done.TrySetResult();
            _file?.Dispose();
            _file = null;
        }
    }

    public void Dispose() => Dispose(allWritesResolved: false);

    private sealed class Parked(long last, List<IndexEntry> entries)
    {
        public long Last { get; } = last;
        public List<IndexEntry> Entries { get; } = entries;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class DirectoryOnlySync(IFileSync inner) : IFileSync
    {
        public void SyncFile(SafeFileHandle file) { }
        public void SyncDirectory(string directory) => inner.SyncDirectory(directory);
    }
}
