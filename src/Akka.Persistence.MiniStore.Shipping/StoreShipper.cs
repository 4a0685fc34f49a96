using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// Follows a MiniStore store and copies each new event, then each new snapshot, into a target journal and snapshot
/// store through Akka.Persistence's plugin protocol: exactly once, in order, resuming after any failure
/// (docs/SHIPPING.md states the rule). It reads the store read-only through the public storage contract, never in the
/// journal's path: the application stores at full speed whether the target is there or not.
/// <para>
/// New events are found in the event index, in ordering order, and read from their logs; one write to the target
/// carries up to <see cref="ShippingOptions.BatchSize"/> events in that order (one atomic write per run of one id), so
/// the target's own order (its events by tag) follows the device's. After the target acknowledged a write, the
/// position log records it (fsync'd). On every start, and for the ids of a failed write, the target's highest
/// sequence number per id is asked and wins over the position: a write the target stored before a crash is not
/// sent again, one it did not store is.
/// </para>
/// In the application it wakes on the journal's <see cref="IndexSignal"/>; beside it, it polls.
/// </summary>
public sealed class StoreShipper
{
    private readonly ShippingOptions _options;
    private readonly StoreReader _reader;
    private readonly IndexSignal? _signal;
    private readonly ILoggingAdapter _log;
    private readonly TargetJournal _journal;
    private readonly TargetSnapshotStore? _snapshots;
    private readonly Backlog _backlog;
    private readonly Dictionary<string, long> _shipped = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);   // shipped positions not yet in the position log
    private readonly HashSet<string> _reconciled = new(StringComparer.Ordinal);
    private readonly HashSet<string> _snapshotsReconciled = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedRemoved = new(StringComparer.Ordinal);
    private PositionLog? _position;
    private long _ordering;
    private bool _rewind;
    private volatile bool _recordAll; // a position append failed: the next records every id
    private int _running;
    private long _shippedEvents, _shippedBytes, _shippedSnapshots;
    private long _backlogMeasured;
    private volatile ShippingStatus _status = ShippingStatus.Initial;

    /// <summary>
    /// A shipper of the store <paramref name="layout"/> into the target plugins <paramref name="options"/> names, which
    /// must be configured in <paramref name="system"/>. <paramref name="signal"/>: the journal's index signal when the
    /// journal runs in this system (then new events are shipped as soon as they are indexed), else null (polling).
    /// </summary>
    public StoreShipper(ActorSystem system, StoreLayout layout, ShippingOptions options, IndexSignal? signal = null, MiniStoreOptions? logOptions = null)
    {
        options.Validate();
        _options = options;
        _signal = signal;
        Name = options.EffectiveName;
        Layout = layout;
        PositionPath = Path.GetFullPath(options.PositionPath ?? layout.ShippingPosition(Name));
        LogOptions = logOptions ?? new MiniStoreOptions();
        _reader = new StoreReader(layout, LogOptions, new PayloadSerializer(system));
        _backlog = new Backlog(_reader);
        _log = Logging.GetLogger(system, $"ministore-shipping-{Name}");
        var persistence = Persistence.Instance.Apply(system);
        _journal = new TargetJournal(persistence.JournalFor(options.TargetJournalPluginId), system, options.AnswerTimeout, $"the journal '{options.TargetJournalPluginId}'");
        if (options.TargetSnapshotPluginId is { Length: > 0 } snapshotPlugin)
            _snapshots = new TargetSnapshotStore(persistence.SnapshotStoreFor(snapshotPlugin), options.AnswerTimeout, $"the snapshot store '{snapshotPlugin}'");
        Tag = new KeyValuePair<string, object?>(ShippingMetrics.TargetTag, Name);
    }

    public string Name { get; }
    public StoreLayout Layout { get; }
    public string PositionPath { get; }
    public MiniStoreOptions LogOptions { get; }
    public ShippingOptions Options => _options;
    public ShippingStatus Status => _status;
    internal KeyValuePair<string, object?> Tag { get; }

    /// <summary>
    /// Ships until <paramref name="cancellationToken"/> is cancelled (<paramref name="follow"/>), or until everything
    /// stored when it got there is shipped, snapshots included (one-shot: returns the summary; after
    /// <see cref="ShippingOptions.OneShotAttempts"/> failed attempts in a row, or a halt, it throws). A write in flight
    /// when cancelled is waited for (at most <see cref="ShippingOptions.AnswerTimeout"/>).
    /// </summary>
    public async Task<ShippingSummary> RunAsync(bool follow, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
            throw new InvalidOperationException($"The shipper '{Name}' is already running");
        var clock = Stopwatch.StartNew();
        ShippingMetrics.Register(this);
        try
        {
            _position = PositionLog.Open(PositionPath, LogOptions, _options.PositionCompactBytes, $"MiniStore shipper '{Name}' (process {Environment.ProcessId})");
            foreach (var (id, seq) in _position.State.Events)
                _shipped[id] = seq;
            _ordering = _position.State.Ordering;
            _log.Info("Shipping '{0}' to {1}{2}, from ordering {3} ({4} persistence ids shipped before); position log '{5}'",
                Layout.JournalDirectory, _journal.Description, _snapshots is null ? "" : " and " + "its snapshot store", _ordering, _shipped.Count, PositionPath);
            try
            {
                await LoopAsync(follow, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && follow)
            {
                // stopped: what was shipped is recorded
            }
            return new ShippingSummary(_shippedEvents, _shippedBytes, _shippedSnapshots, _shipped.Count, _ordering, clock.Elapsed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (IsHalt(e) || e is TargetUnavailableException or TimeoutException)
                _log.Error("Shipping stopped: {0}", e.Message); // a specific error: its message says it all
            else
                _log.Error(e, "Shipping stopped: {0}", e.Message);
            _status = _status with { Problem = e.Message };
            throw;
        }
        finally
        {
            _position?.Dispose();
            _position = null;
            _status = _status with { State = ShippingState.Stopped };
            ShippingMetrics.Unregister(this);
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task LoopAsync(bool follow, CancellationToken cancellationToken)
    {
        bool startReconciled = false;
        int failures = 0;
        var backoff = _options.MinBackoff;
        DateTime? unavailableSince = null;
        string? halted = null;
        long nextSnapshots = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = _signal?.Changed;
            try
            {
                if (_signal?.Ready is { IsFaulted: true } ready)
                    throw new ShippingException($"The journal's event index cannot be followed: {ready.Exception!.GetBaseException().Message}", ready.Exception);
                if (!startReconciled)
                {
                    await ReconcileAsync(_shipped.Keys.ToList()).ConfigureAwait(false);
                    startReconciled = true;
                }
                if (_rewind)
                {
                    // The target holds less of an id than it acknowledged (restored from a backup, say): those events are
                    // before the index position, so the index is read again from its start; what the target holds is passed over.
                    (_ordering, _rewind) = (0, false);
                    _log.Warning("Reading the event index again from its start, to ship again what the target lacks");
                }
                int consumed = await ShipAvailableAsync(cancellationToken).ConfigureAwait(false);
                bool caughtUp = consumed == 0;
                if (caughtUp && (!follow || Stopwatch.GetTimestamp() >= nextSnapshots))
                {
                    await ShipSnapshotsAsync().ConfigureAwait(false);
                    nextSnapshots = Stopwatch.GetTimestamp() + (long)(_options.SnapshotInterval.TotalSeconds * Stopwatch.Frequency);
                }
                if (unavailableSince is { } since)
                    _log.Info("The target is back after {0:0.#} s: shipping the {1} events stored meanwhile", (DateTime.UtcNow - since).TotalSeconds, _backlog.Events);
                if (halted is not null)
                    _log.Info("Shipping goes on: {0} is resolved", halted);
                (failures, backoff, unavailableSince, halted) = (0, _options.MinBackoff, null, null);
                Publish(caughtUp ? ShippingState.CaughtUp : ShippingState.Shipping, null, null);
                if (!caughtUp)
                    continue;
                if (!follow)
                    return;
                await WaitForNewEventsAsync(changed, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                failures++;
                _reconciled.Clear(); // the outcome of the failed write is unknown: ask the target again before the next
                _snapshotsReconciled.Clear();
                bool halt = IsHalt(e);
                ShippingMetrics.Failures.Add(1, Tag, new KeyValuePair<string, object?>("error.type", halt ? "halted" : "unavailable"));
                if (halt)
                {
                    if (halted is null)
                        _log.Error("Shipping halted: {0} Nothing after it is shipped; retrying every {1:0.#} s.", e.Message, _options.MaxBackoff.TotalSeconds);
                    halted = e.Message;
                }
                else if (unavailableSince is null)
                {
                    unavailableSince = DateTime.UtcNow;
                    _log.Warning("The target is unavailable ({0}). Events keep being stored locally and are shipped when it is back; retrying with backoff up to {1:0.#} s.",
                        e.Message, _options.MaxBackoff.TotalSeconds);
                }
                else
                    _log.Debug("Shipping attempt {0} failed: {1}", failures, e.Message);
                Publish(halt ? ShippingState.Halted : ShippingState.TargetUnavailable, unavailableSince, e.Message);
                if (!follow && (halt || failures >= _options.OneShotAttempts))
                    throw halt ? e : new TargetUnavailableException($"Shipping gave up after {failures} failed attempts: {e.Message}", e);
                await Task.Delay(halt ? _options.MaxBackoff : backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Problems a retry cannot solve: the store cannot be read as it must, or the target refuses an event outright.</summary>
    private static bool IsHalt(Exception e) => e is ShippingException or CorruptLogException or PayloadNotReadableException or LostEventsException;

    private async Task WaitForNewEventsAsync(Task? changed, CancellationToken cancellationToken)
    {
        var poll = Task.Delay(_options.PollInterval, cancellationToken);
        await (changed is null ? poll : Task.WhenAny(changed, poll)).ConfigureAwait(false);
    }

    /// <summary>
    /// Ships what is indexed, up to 16 batches (then the loop publishes its state and looks at snapshots), and returns
    /// the index entries consumed (0: nothing new). The next batch is prepared (read, reconciled) while the one before
    /// it is being written: the target's round trip and the device's reads overlap. Batches are still written one
    /// after another, each only once the one before it was acknowledged, so the target's order is the device's. A stop
    /// request ends it after the batch in flight.
    /// </summary>
    private async Task<int> ShipAvailableAsync(CancellationToken stop)
    {
        var batch = await PrepareAsync(_ordering, null).ConfigureAwait(false);
        int consumed = 0;
        Task? recording = null;
        try
        {
            for (int n = 0; batch is not null; n++)
            {
                long started = Stopwatch.GetTimestamp();
                var send = SendAsync(batch);
                var next = n < 15 && !stop.IsCancellationRequested ? Task.Run(() => PrepareAsync(batch.LastOrdering, batch.Highest)) : Task.FromResult<Batch?>(null);
                try
                {
                    await send.ConfigureAwait(false);
                }
                catch
                {
                    await Task.WhenAny(next).ConfigureAwait(false); // its reads and questions are of no use now; its failure neither
                    throw;
                }
                // The next batch is prepared before this one is committed: the two never change the shipper's state at once.
                Batch? prepared = null;
                Exception? failedToPrepare = null;
                try
                {
                    prepared = await next.ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    failedToPrepare = e;
                }
                if (recording is not null)
                    await recording.ConfigureAwait(false);
                recording = Commit(batch);
                consumed += batch.Consumed;
                Publish(ShippingState.Shipping, null, null);
                if (_options.MaxEventsPerSecond is { } most && batch.Count > 0
                    && TimeSpan.FromSeconds((double)batch.Count / most) - Stopwatch.GetElapsedTime(started) is { Ticks: > 0 } rest)
                    await Task.Delay(rest, stop).ConfigureAwait(false);
                if (failedToPrepare is not null)
                    ExceptionDispatchInfo.Throw(failedToPrepare);
                batch = prepared;
            }
        }
        finally
        {
            if (recording is not null)
                await recording.ConfigureAwait(false);
        }
        return consumed;
    }

    /// <summary>A batch ready to send: its index entries (the first <see cref="Consumed"/> of them are done with it), its atomic writes, and per id the highest sequence number it ships or passes over.</summary>
    private sealed class Batch(List<IndexEntry> entries)
    {
        public List<IndexEntry> Entries { get; } = entries;
        public int Consumed { get; set; }
        public List<AtomicWrite> Writes { get; } = new();
        public int Count { get; set; }
        public long Bytes { get; set; }
        public Dictionary<string, long> Highest { get; } = new(StringComparer.Ordinal);
        public List<long> Timestamps { get; } = new();
        public long LastOrdering => Entries[Consumed - 1].Ordering;
    }

    /// <summary>
    /// The next batch after <paramref name="afterOrdering"/> (null: nothing new): the ids it touches are reconciled
    /// with the target first, events the target holds already are passed over, the rest read from their logs, in
    /// ordering order. <paramref name="ahead"/>: what the batch before it ships, when that is still being written.
    /// </summary>
    private async Task<Batch?> PrepareAsync(long afterOrdering, IReadOnlyDictionary<string, long>? ahead)
    {
        if (_rewind)
            return null;
        var entries = _reader.IndexAfter(afterOrdering, _options.BatchSize);
        if (entries.Count == 0)
            return null;
        await ReconcileAsync(entries.Select(e => e.PersistenceId).Distinct().ToList()).ConfigureAwait(false);
        if (_rewind)
            return null;
        long Shipped(string pid) => ahead is not null && ahead.TryGetValue(pid, out long seq) ? seq : this.Shipped(pid);

        var events = ReadEvents(entries, Shipped);
        var batch = new Batch(entries);
        var run = new List<IPersistentRepresentation>();
        foreach (var entry in entries)
        {
            string pid = entry.PersistenceId;
            if (entry.SequenceNr <= Shipped(pid))
            {
                batch.Consumed++;
                continue;
            }
            if (!events.TryGetValue((pid, entry.SequenceNr), out var stored))
            {
                PassOver(entry); // deleted (and not to be shipped, or compacted away before shipping began): throws if it is neither
                batch.Highest[pid] = entry.SequenceNr;
                batch.Consumed++;
                continue;
            }
            if (batch.Count > 0 && batch.Bytes + stored.Bytes > _options.MaxBatchBytes)
                break;
            if (run.Count > 0 && run[0].PersistenceId != pid)
            {
                batch.Writes.Add(new AtomicWrite(run.ToImmutableList()));
                run.Clear();
            }
            run.Add(stored.Event);
            batch.Timestamps.Add(stored.Event.Timestamp);
            batch.Highest[pid] = entry.SequenceNr;
            batch.Consumed++;
            batch.Count++;
            batch.Bytes += stored.Bytes;
        }
        if (run.Count > 0)
            batch.Writes.Add(new AtomicWrite(run.ToImmutableList()));
        return batch;
    }

    /// <summary>Writes the batch's events to the target and waits for its acknowledgement; changes no state.</summary>
    private async Task SendAsync(Batch batch)
    {
        if (batch.Count == 0)
            return;
        var rejected = await _journal.WriteAsync(batch.Writes, batch.Count, CancellationToken.None).ConfigureAwait(false);
        if (rejected.Count > 0)
            throw Refused(rejected);
        long now = DateTime.UtcNow.Ticks;
        foreach (long timestamp in batch.Timestamps)
            ShippingMetrics.Delay.Record(TimeSpan.FromTicks(Math.Max(0, now - timestamp)).TotalSeconds, Tag);
        ShippingMetrics.ShippedEvents.Add(batch.Count, Tag);
        ShippingMetrics.ShippedBytes.Add(batch.Bytes, Tag);
    }

    /// <summary>Takes an acknowledged batch as shipped; returns the append of the new position (fsync'd), which the next commit waits for.</summary>
    private Task Commit(Batch batch)
    {
        _shippedEvents += batch.Count;
        _shippedBytes += batch.Bytes;
        foreach (var (pid, seq) in batch.Highest)
        {
            _shipped[pid] = seq;
            _changed.Add(pid);
        }
        _ordering = batch.LastOrdering;
        _backlog.Shipped(batch.Entries.Take(batch.Consumed));
        var events = (_recordAll ? (IEnumerable<string>)_shipped.Keys : _changed).Select(id => KeyValuePair.Create(id, _shipped[id])).ToList();
        _changed.Clear();
        _recordAll = false;
        long ordering = _ordering;
        return Task.Run(() =>
        {
            try
            {
                _position!.Record(ordering, events, []);
            }
            catch
            {
                _recordAll = true; // the next line records every id, this one's included
                throw;
            }
        });
    }

    private readonly record struct StoredEvent(IPersistentRepresentation Event, long Bytes);

    /// <summary>The events the entries name that the target lacks, read from their logs (one read per id); deleted ones are left out unless they are shipped too.</summary>
    private Dictionary<(string, long), StoredEvent> ReadEvents(List<IndexEntry> entries, Func<string, long> shipped)
    {
        var ranges = new Dictionary<string, (long From, long To)>(StringComparer.Ordinal);
        foreach (var entry in entries)
            if (entry.SequenceNr > shipped(entry.PersistenceId))
                ranges[entry.PersistenceId] = ranges.TryGetValue(entry.PersistenceId, out var range) ? (range.From, entry.SequenceNr) : (entry.SequenceNr, entry.SequenceNr);
        var events = new Dictionary<(string, long), StoredEvent>();
        foreach (var (pid, (from, to)) in ranges)
        {
            long deletedTo = _options.ShipDeletedEvents ? 0 : _reader.DeletedTo(pid);
            _reader.ReadEvents(pid, Math.Max(from, deletedTo + 1), to, (record, line, path) =>
                events[(pid, record.SequenceNr)] = new StoredEvent(_reader.ToPersistent(record, line, path), line.Json.Length));
        }
        return events;
    }

    /// <summary>
    /// An indexed event not read from its log is passed over only when it is deleted: then it was either left out on
    /// purpose (<see cref="ShippingOptions.ShipDeletedEvents"/> off) or removed by a compaction that ran before the store
    /// was shipped. Otherwise the log lacks an acknowledged event, and shipping halts rather than skip it.
    /// </summary>
    private void PassOver(IndexEntry entry)
    {
        string pid = entry.PersistenceId;
        long deletedTo = _reader.DeletedTo(pid);
        if (entry.SequenceNr > deletedTo)
            throw new ShippingException($"The event index '{Layout.EventIndex}' lists event {entry.SequenceNr} of persistence id '{pid}' (ordering {entry.Ordering}), " +
                                        $"but its log '{Layout.EventLog(pid)}' does not hold it and it is not deleted (deleted up to {deletedTo}). " +
                                        "Run `ministore verify` on the store; the shipper does not skip an acknowledged event.");
        if (_options.ShipDeletedEvents && _reportedRemoved.Add(pid))
            _log.Warning("Persistence id '{0}': deleted events up to {1} were removed from '{2}' by a compaction before they were shipped; the target gets the events after them",
                pid, deletedTo, Layout.EventLog(pid));
    }

    private ShippingException Refused(IReadOnlyList<WriteMessageRejected> rejected)
    {
        var first = rejected.OrderBy(r => r.Persistent.SequenceNr).First();
        var e = first.Persistent;
        var payload = e.Payload is Akka.Persistence.Journal.Tagged tagged ? tagged.Payload : e.Payload;
        return new ShippingException($"{_journal.Description} refused event {e.SequenceNr} of persistence id '{e.PersistenceId}' ({payload.GetType().FullName}, " +
                                     $"in '{Layout.EventLog(e.PersistenceId)}'): {first.Cause.Message}. {rejected.Count} events were refused; the events of the same write " +
                                     "that were not refused may be stored at the target. Fix the target's configuration (its serializer for the type, say) and restart the shipper.", first.Cause);
    }

    private long Shipped(string persistenceId) => _shipped.TryGetValue(persistenceId, out long seq) ? seq : 0;

    /// <summary>
    /// Asks the target its highest sequence number of each id not asked since the last failure, and takes it as what
    /// is shipped: a write stored before a crash of the shipper is never sent again. A target holding less than it
    /// acknowledged has lost events; they are shipped again when the device still has them (the index is read again from its start).
    /// </summary>
    private async Task ReconcileAsync(IReadOnlyList<string> persistenceIds)
    {
        var ids = persistenceIds.Where(id => !_reconciled.Contains(id)).ToList();
        if (ids.Count == 0)
            return;
        var highest = new long[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, token) => highest[i] = await _journal.HighestSequenceNrAsync(ids[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        for (int i = 0; i < ids.Count; i++)
        {
            string pid = ids[i];
            long recorded = Shipped(pid), atTarget = highest[i];
            if (atTarget < recorded && recorded <= _reader.DeletedTo(pid))
                atTarget = recorded; // the target lacks only events deleted here (left out, or removed before shipping): nothing to send again
            if (atTarget < recorded)
            {
                _log.Warning("Persistence id '{0}': {1} holds events only up to {2}, though it acknowledged up to {3}; they are shipped again from the device's log",
                    pid, _journal.Description, atTarget, recorded);
                _rewind = true;
            }
            if (atTarget != recorded)
            {
                _shipped[pid] = atTarget;
                _changed.Add(pid);
            }
            _reconciled.Add(pid);
        }
    }

    /// <summary>Ships each snapshot newer than the last shipped of its id, once its events are shipped (a target never holds a snapshot ahead of its events).</summary>
    private async Task ShipSnapshotsAsync()
    {
        if (_snapshots is null || Layout.SnapshotDirectory is null)
            return;
        foreach (var pid in _shipped.Keys.ToList())
        {
            long after = _position!.State.Snapshots.TryGetValue(pid, out long s) ? s : 0;
            var files = _reader.SnapshotsBetween(pid, after, Shipped(pid));
            if (files.Count == 0)
                continue;
            if (_snapshotsReconciled.Add(pid) && await _snapshots.LatestAsync(pid, CancellationToken.None).ConfigureAwait(false) is { } latest && latest.SequenceNr > after)
            {
                RecordPosition([KeyValuePair.Create(pid, latest.SequenceNr)]);
                files = files.Where(f => f.SequenceNr > latest.SequenceNr).ToList();
            }
            foreach (var file in files)
            {
                SelectedSnapshot snapshot;
                try
                {
                    snapshot = _reader.ReadSnapshot(file, pid);
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    continue; // deleted since it was listed (keep-snapshots): a newer one took its place
                }
                catch (CorruptLogException e)
                {
                    _log.Warning("Snapshot '{0}' of persistence id '{1}' is not shipped: {2}", file.Path, pid, e.Message);
                    RecordPosition([KeyValuePair.Create(pid, file.SequenceNr)]);
                    continue;
                }
                await _snapshots.SaveAsync(snapshot, CancellationToken.None).ConfigureAwait(false);
                RecordPosition([KeyValuePair.Create(pid, file.SequenceNr)]);
                _shippedSnapshots++;
                ShippingMetrics.ShippedSnapshots.Add(1, Tag);
            }
        }
    }

    /// <summary>Appends the ordering, the changed event positions and <paramref name="snapshots"/> to the position log (fsync'd).</summary>
    private void RecordPosition(IReadOnlyCollection<KeyValuePair<string, long>> snapshots)
    {
        var events = _changed.Select(id => KeyValuePair.Create(id, _shipped[id])).ToList();
        _position!.Record(_ordering, events, snapshots);
        _changed.Clear();
    }

    /// <summary>Publishes the state; the backlog is measured again at most once a second, and at once when shipping stops going (an outage, a halt).</summary>
    private void Publish(ShippingState state, DateTime? unavailableSince, string? problem)
    {
        long now = Stopwatch.GetTimestamp();
        bool stopped = state is ShippingState.TargetUnavailable or ShippingState.Halted && _status.State != state;
        if (now - _backlogMeasured >= Stopwatch.Frequency || stopped)
        {
            try
            {
                _backlog.Update(_ordering);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.Debug("Could not measure the backlog: {0}", e.Message);
            }
            _backlogMeasured = now;
        }
        var measuredAt = DateTime.UtcNow - TimeSpan.FromSeconds((double)(now - _backlogMeasured) / Stopwatch.Frequency);
        _status = new ShippingStatus(state, Math.Max(0, _backlog.Events), _backlog.Bytes, _backlog.Lag, _shippedEvents, _shippedSnapshots, unavailableSince, problem, measuredAt);
    }
}
