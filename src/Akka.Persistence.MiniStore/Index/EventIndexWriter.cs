using Akka.Event;
using Akka.Persistence.MiniStore.Journal;
using MiniStore;
using Microsoft.Win32.SafeHandles;

namespace Akka.Persistence.MiniStore.Index;

/// <summary>
/// Keeps the journal's event index (<see cref="JournalFiles.EventIndex"/>) and hands out orderings.
/// <para>
/// Every event record carries its ordering ("ord"), written and fsync'd with the event, so the logs alone say in which
/// order events were stored. The index is a cache derived from them, appended without fsync: on start it is caught up
/// from the logs whose last record is beyond its last entry, or rebuilt from all logs when it is missing, empty or
/// damaged. Entries are appended in ordering order, and only once every event with a lower ordering is stored or has
/// failed, so a reader that saw ordering N will never later find a stored event below N it has not seen.
/// </para>
/// </summary>
internal sealed class EventIndexWriter : IAsyncDisposable
{
    private readonly string _directory;
    private readonly MiniStoreOptions _logOptions;
    private readonly MiniStoreOptions _indexOptions;
    private readonly IndexSignal _signal;
    private readonly ILoggingAdapter _log;
    private readonly IndexCheckMark _checkMark;
    private MiniStoreLog? _index;
    private long _lastOrdering;
    private readonly Queue<PendingEntries> _pending = new();   // also the lock of _appending
    private bool _appending;
    private Task _appended = Task.CompletedTask;               // the last write's entries appended (all before it too)
    private Exception? _broken;

    public EventIndexWriter(string directory, MiniStoreOptions logOptions, IndexSignal signal, ILoggingAdapter log)
    {
        _directory = directory;
        _logOptions = logOptions;
        _indexOptions = logOptions with { FileSync = new DirectoryOnlySync(logOptions.FileSync) };
        _signal = signal;
        _log = log;
        Path = JournalFiles.EventIndex(directory);
        _checkMark = new IndexCheckMark(Path, logOptions);
        Recovery = Task.Run(RecoverAsync);
    }

    public string Path { get; }

    /// <summary>Completes when orderings can be handed out: the index is caught up with the logs, or could not be (then <see cref="IndexSignal.Ready"/> failed).</summary>
    public Task Recovery { get; }

    /// <summary>
    /// The first of the next <paramref name="count"/> orderings, which follow one another. Called only from the
    /// journal actor, in the order events are handed to the logs.
    /// </summary>
    public long NextOrderings(int count)
    {
        if (!Recovery.IsCompleted)
            Recovery.GetAwaiter().GetResult();
        long first = _lastOrdering + 1;
        _lastOrdering += count;
        return first;
    }

    /// <summary>
    /// Appends the entries of each write once it is stored (a failed write's entries are dropped), after everything
    /// handed over before. Called from the journal actor with entries in ordering order; the task completes once the
    /// entries are in the index (or dropped) and never fails.
    /// </summary>
    public Task AppendWhenStored(IReadOnlyList<(Task Stored, IReadOnlyList<IndexEntry> Entries)> writes)
    {
        var pending = new PendingEntries(writes);
        lock (_pending)
            _pending.Enqueue(pending);
        _appended = pending.Indexed.Task;
        foreach (var (stored, _) in writes)
            stored.ContinueWith(static (_, writer) => ((EventIndexWriter)writer!).AppendStored(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        AppendStored();
        return pending.Indexed.Task;
    }

    /// <summary>
    /// Appends, with one write, the entries of all writes at the head of the queue that are stored (or failed), then
    /// looks again; one thread at a time. Many writes finishing together (of many persistence ids, fsync'd in
    /// parallel) thus cost one index write, not one each.
    /// </summary>
    private void AppendStored()
    {
        var ready = new List<PendingEntries>();
        while (true)
        {
            lock (_pending)
            {
                if (ready.Count > 0)
                    _appending = false; // the previous round is done
                else if (_appending)
                    return; // the thread appending now looks again when it is done, and finds what is stored by then
                ready.Clear();
                while (_pending.TryPeek(out var head) && head.IsStored)
                    ready.Add(_pending.Dequeue());
                if (ready.Count == 0)
                    return;
                _appending = true;
            }
            var entries = new List<IndexEntry>();
            foreach (var p in ready)
                p.AddStoredEntriesTo(entries);
            Append(entries);
            foreach (var p in ready)
                p.Indexed.TrySetResult();
        }
    }

    private void Append(List<IndexEntry> entries)
    {
        if (entries.Count == 0 || _broken is not null)
            return;
        if (!InOrderingOrder(entries)) // they are, unless a call's writes of different ids took turns
            entries.Sort((a, b) => a.Ordering.CompareTo(b.Ordering));
        try
        {
            // Written on this thread: appends come one at a time, so the index log never queues them.
            AppendAsync(_index!, entries).GetAwaiter().GetResult();
            _signal.Notify();
        }
        catch (Exception e)
        {
            // Appending later entries after a gap would break the ordering guarantee: stop, and catch up on the next start.
            _broken = e;
            _log.Error(e, "Could not append to the event index '{0}'; queries by tag and of all events see no new events until the journal restarts and catches the index up from the logs.", Path);
        }
    }

    private static bool InOrderingOrder(List<IndexEntry> entries)
    {
        for (int i = 1; i < entries.Count; i++)
            if (entries[i - 1].Ordering > entries[i].Ordering)
                return false;
        return true;
    }

    private static async Task AppendAsync(MiniStoreLog index, IReadOnlyList<IndexEntry> entries)
    {
        using var json = IndexEntry.ToJson(entries);
        // One frame per entry, whatever the grouping, so a rebuilt index is byte for byte the index it replaces.
        await index.AppendWrittenJsonBatchesAsync(Array.ConvertAll(json.Records(), record => (IReadOnlyList<ReadOnlyMemory<byte>>)[record])).ConfigureAwait(false);
    }

    private async Task RecoverAsync()
    {
        long lastIndexed = 0, lastStored = 0;
        try
        {
            string indexDirectory = System.IO.Path.GetDirectoryName(Path)!;
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(indexDirectory);
            else
                Directory.CreateDirectory(indexDirectory, _indexOptions.DirectoryMode); // owner-only, as every directory of the store
            (var index, lastIndexed) = await OpenIndexAsync().ConfigureAwait(false);
            var behind = new List<string>();
            var unreadable = new List<Exception>();
            foreach (var log in JournalFiles.EventLogs(_directory))
            {
                long last;
                try { last = await LastOrderingAsync(log).ConfigureAwait(false); }
                catch (IOException e) { unreadable.Add(e); continue; } // every readable log still counts for the next ordering
                lastStored = Math.Max(lastStored, last);
                if (last > lastIndexed)
                    behind.Add(log);
            }
            if (unreadable.Count > 0)
            {
                if (index is not null) await index.DisposeAsync().ConfigureAwait(false);
                throw new AggregateException("Event logs could not be read: " + string.Join("; ", unreadable.Select(e => e.Message)), unreadable);
            }
            if (index is null)
            {
                index = await RebuildAsync().ConfigureAwait(false);
                lastIndexed = index.LastRecordAtOpen is { } last ? IndexEntry.Read(last, Path).Ordering : 0;
            }
            else if (behind.Count > 0)
            {
                var missing = new IndexEntryCollector(this);
                foreach (var log in behind)
                    await missing.ScanAsync(log, lastIndexed).ConfigureAwait(false);
                var entries = missing.Entries.OrderBy(e => e.Ordering).ToList();
                await AppendAsync(index, entries).ConfigureAwait(false);
                _log.Info("Event index '{0}' caught up with {1} events from {2} logs", Path, entries.Count, behind.Count);
                lastIndexed = entries[^1].Ordering;
            }
            _index = index;
            _signal.SetReady();
            _signal.Notify();
        }
        catch (Exception e)
        {
            // A damaged log must not stop the journal storing events (of that id it fails anyway, with the file and
            // line): orderings go on above every readable log, and only the index-based queries fail, with this cause.
            _broken = e;
            _log.Error(e, "The event index '{0}' could not be brought up to date with the logs. Events are still stored, but queries by tag, of all events and of persistence ids fail until the cause is fixed and the journal restarted.", Path);
            _signal.SetFailed(new IOException($"The event index '{Path}' could not be brought up to date with the logs: {e.Message}", e));
        }
        finally
        {
            _lastOrdering = Math.Max(lastIndexed, lastStored);
        }
    }

    /// <summary>The index and its last ordering, or null when it must be rebuilt.</summary>
    private async Task<(MiniStoreLog? Index, long LastOrdering)> OpenIndexAsync()
    {
        if (!File.Exists(Path))
            return (null, 0);
        MiniStoreLog? index = null;
        try
        {
            index = await MiniStoreLog.OpenAsync(Path, _indexOptions).ConfigureAwait(false);
            // Opening reads only the end. The index is not fsync'd, so after a power loss it may hold damage further
            // back, in the part written since the last start: read that part, so that damage there is rebuilt rather
            // than found by a query.
            long checkedTo = await _checkMark.ReadAsync(index.Length).ConfigureAwait(false);
            await foreach (var _ in MiniStoreLog.ReadAsync(Path, checkedTo, checkedTo == 0 ? 1 : 0, index.Length, _indexOptions).ConfigureAwait(false)) { }
            if (index.Length > checkedTo)
                await MoveCheckMarkAsync(index.Length).ConfigureAwait(false);
            if (index.LastRecordAtOpen is { } last)
                return (index, IndexEntry.Read(last, Path).Ordering);
        }
        catch (CorruptLogException e)
        {
            _log.Warning("Event index is damaged and will be rebuilt from the logs: {0}", e.Message);
        }
        if (index is not null)
            await index.DisposeAsync().ConfigureAwait(false);
        return (null, 0);
    }

    private async Task MoveCheckMarkAsync(long indexLength)
    {
        try
        {
            await _checkMark.MoveAsync(indexLength).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Could not record that the event index '{0}' was checked (the next start reads it whole again): {1}", Path, e.Message);
        }
    }

    /// <summary>Writes a new index from every log beside the old one, then puts it in place.</summary>
    private async Task<MiniStoreLog> RebuildAsync()
    {
        _checkMark.Clear();
        var all = new IndexEntryCollector(this);
        var logs = JournalFiles.EventLogs(_directory).ToList();
        foreach (var log in logs)
            await all.ScanAsync(log, 0).ConfigureAwait(false);
        var entries = all.WithLegacyOrderings();

        string rebuilt = Path + ".rebuild";
        File.Delete(rebuilt);
        await using (var index = await MiniStoreLog.OpenAsync(rebuilt, _indexOptions).ConfigureAwait(false))
        {
            foreach (var chunk in entries.Chunk(4096))
                await AppendAsync(index, chunk).ConfigureAwait(false);
        }
        File.Move(rebuilt, Path, overwrite: true);
        _log.Info("Event index '{0}' rebuilt from {1} logs: {2} events", Path, logs.Count, entries.Count);
        return await MiniStoreLog.OpenAsync(Path, _indexOptions).ConfigureAwait(false);
    }

    /// <summary>The ordering of a log's last event, read from its end (0 for an empty log or one written before orderings).</summary>
    private async Task<long> LastOrderingAsync(string log)
    {
        var last = await MiniStoreLog.ReadLastRecordAsync(log, _logOptions).ConfigureAwait(false);
        return last is { } record ? EventRecord.Read(record, log).Ordering : 0;
    }

    public async ValueTask DisposeAsync()
    {
        try { await Recovery.ConfigureAwait(false); } catch { /* reported when it happened */ }
        await _appended.ConfigureAwait(false);
        if (_index is not null)
            await _index.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The index entries of one WriteMessages call, waiting for its writes to be stored.</summary>
    private sealed class PendingEntries(IReadOnlyList<(Task Stored, IReadOnlyList<IndexEntry> Entries)> writes)
    {
        public TaskCompletionSource Indexed { get; } = new();

        public bool IsStored
        {
            get
            {
                foreach (var (stored, _) in writes)
                    if (!stored.IsCompleted)
                        return false;
                return true;
            }
        }

        /// <summary>Adds the entries of the writes that succeeded; a failed write's orderings stay unused (the journal tells its writer).</summary>
        public void AddStoredEntriesTo(List<IndexEntry> entries)
        {
            foreach (var (stored, written) in writes)
                if (stored.IsCompletedSuccessfully)
                    entries.AddRange(written);
        }
    }

    /// <summary>Reads index entries out of logs; see <see cref="WithLegacyOrderings"/> for events without an ordering.</summary>
    private sealed class IndexEntryCollector(EventIndexWriter writer)
    {
        private readonly Dictionary<string, IReadOnlyList<string>> _tagLists = new();
        private readonly List<IndexEntry> _legacy = new();

        public List<IndexEntry> Entries { get; } = new();

        /// <summary>
        /// Collects the entries of a log's events above <paramref name="afterOrdering"/> (all when it is 0). Orderings
        /// increase through a log (records without one come first), so a catch-up starts at the first event it misses,
        /// found by a binary search, not at the start of the log.
        /// </summary>
        public async Task ScanAsync(string log, long afterOrdering)
        {
            long start = afterOrdering == 0 ? 0 : await MiniStoreLog.SeekAsync(log, line => EventRecord.Read(line, log).Ordering, afterOrdering + 1, options: writer._logOptions).ConfigureAwait(false);
            await foreach (var line in MiniStoreLog.ReadAsync(log, start, start == 0 ? 1 : 0, options: writer._logOptions).ConfigureAwait(false))
            {
                var record = EventRecord.Read(line, log);
                var entry = new IndexEntry(record.Ordering, record.PersistenceId, record.SequenceNr, Shared(record.Tags));
                if (record.Ordering == 0)
                {
                    if (afterOrdering == 0)
                        _legacy.Add(entry);
                }
                else if (record.Ordering > afterOrdering)
                    Entries.Add(entry);
            }
        }

        /// <summary>
        /// All entries in ordering order. Events stored before orderings existed are numbered 1..n first, by persistence
        /// id and sequence number: the same numbers every time the index is rebuilt, since such records are never
        /// written again, and the journal's first ordering comes after them.
        /// </summary>
        public List<IndexEntry> WithLegacyOrderings()
        {
            var legacy = _legacy.OrderBy(e => e.PersistenceId, StringComparer.Ordinal).ThenBy(e => e.SequenceNr)
                .Select((e, i) => e with { Ordering = i + 1 }).ToList();
            var stored = Entries.OrderBy(e => e.Ordering).ToList();
            if (legacy.Count > 0 && stored.Count > 0 && stored[0].Ordering <= legacy.Count)
                throw new IOException($"Journal '{writer._directory}' holds {legacy.Count} events without \"ord\" (written by an older version) and events with \"ord\" from {stored[0].Ordering}: an older version wrote to it after this one. The event index cannot order them; move the older events to another directory.");
            legacy.AddRange(stored);
            return legacy;
        }

        private IReadOnlyList<string> Shared(IReadOnlyCollection<string> tags)
        {
            if (tags.Count == 0)
                return [];
            string key = string.Join('\u0001', tags);
            if (!_tagLists.TryGetValue(key, out var shared))
                _tagLists[key] = shared = tags.ToArray();
            return shared;
        }
    }

    /// <summary>The index is a cache rebuilt from the fsync'd logs, so its appends skip the file sync (new files still get their directory entry synced).</summary>
    private sealed class DirectoryOnlySync(IFileSync inner) : IFileSync
    {
        public void SyncFile(SafeFileHandle file) { }
        public void SyncDirectory(string directory) => inner.SyncDirectory(directory);
    }
}
