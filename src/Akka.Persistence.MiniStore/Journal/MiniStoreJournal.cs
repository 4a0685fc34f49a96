using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Index;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// Akka.Persistence journal on MiniStore logs: one JSONL log per persistence id in the configured directory, every
/// write fsync'd before it is acknowledged, each <see cref="AtomicWrite"/> stored as one atomic batch.
/// docs/ARCHITECTURE.md traces a <c>Persist</c> and a recovery through it.
/// </summary>
public sealed class MiniStoreJournal : AsyncWriteJournal
{
    /// <summary>The lock file that makes one journal the owner of its directory.</summary>
    public const string LockFileName = StoreLayout.JournalLockFile;

    private readonly MiniStoreSettings _settings;
    private readonly RetentionSettings _retention;
    private readonly StoreSizeWatch _storeSize;
    private readonly PayloadSerializer _serializer;
    private readonly EventRecordWriter _encoder;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StoreHealth _health;
    private readonly StoreOwnership _ownership;
    private readonly EventIndex _index;
    private readonly PluginMetrics _metrics;
    private readonly KeyedWorkQueue _queue;
    private readonly OpenLogs _logs;

    public MiniStoreJournal(Config config)
    {
        var merged = MiniStorePersistence.JournalConfig(config, Context.System);
        string pluginId = Self.Path.Name;
        _settings = MiniStoreSettings.Create(merged, MiniStorePersistence.JournalConfigPath);
        _retention = RetentionSettings.Create(merged);
        _metrics = new PluginMetrics(pluginId, _settings.Directory);
        var options = _settings.ToLogOptions(Context.System, _metrics);
        var layout = new StoreLayout(_settings.Directory);
        _serializer = new PayloadSerializer(Context.System);
        _encoder = new EventRecordWriter(_serializer);
        _health = new StoreHealth(_settings.Directory, "journal");
        _storeSize = new StoreSizeWatch(_settings.Directory, _retention, _log);
        _index = new EventIndex(layout, options, _settings.DirectoryMode, IndexSignals.Get(Context.System).For(_settings.Directory), _log);
        var files = new JournalFiles(layout, options, _log, _metrics, _index.HighestSequenceNr);

        int budget = OpenLogs.Budget(merged.GetInt("max-open-files", 0), MiniStorePersistence.JournalConfigPath + ".max-open-files");
        int threads = merged.GetInt("write-threads", 0) is > 0 and var configured ? configured : Math.Min(32, 16 * Environment.ProcessorCount);
        _queue = new KeyedWorkQueue(Math.Max(1, Math.Min(threads, budget / OpenLogs.HandlesPerOperation)), "ministore-journal");
        _logs = new OpenLogs(budget, _queue.MaxParallel, pid => new PersistenceIdLog(pid, files));
        files.Budget = _logs;
        _metrics.OpenLogs = () => _logs.OpenFiles;
        _metrics.Queued = () => _queue.Queued;

        _ownership = new StoreOwnership(_settings.Directory, LockFileName, $"MiniStore journal of actor system '{Context.System.Name}'", options, _settings.DirectoryMode, _log,
            onOwned: readOnlyReason => _index.Start(readOnly: readOnlyReason is not null));
        files.ReadOnlyReason = () => _ownership.ReadOnlyReason;
        _log.Info("MiniStore journal in '{0}' ({1} write threads, {2} open files at most{3})", _settings.Directory, _queue.MaxParallel, budget,
            files.IsReadOnly ? ", read-only" : "");
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        using var write = JournalWrite.Encode(messages as IReadOnlyList<AtomicWrite> ?? messages.ToList(), _encoder, _index, _settings.MaxRecordSize);
        var appends = AppendEachPersistenceId(write);
        var failure = await Outcome(appends).ConfigureAwait(false);
        await _index.Stored(write.FirstOrdering, write.LastOrdering, write.StoredEntries(id => appends[id].IsCompletedSuccessfully)).ConfigureAwait(false);
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
        _storeSize.Check();
        return write.Rejections!;
    }

    /// <summary>
    /// One append and fsync per persistence id, queued in call order behind that id's earlier operations. Ids run in
    /// parallel on the write threads; a call for one id, with nothing else waiting in the mailbox, runs on this thread.
    /// </summary>
    private Dictionary<JournalWrite.PerId, Task<bool>> AppendEachPersistenceId(JournalWrite write)
    {
        bool alone = write.PersistenceIds.Count == 1 && !MoreMessagesWaiting();
        var appends = new Dictionary<JournalWrite.PerId, Task<bool>>(write.PersistenceIds.Count);
        foreach (var perId in write.PersistenceIds)
            appends[perId] = _queue.Run(perId.PersistenceId, () => _logs.With(perId.PersistenceId, log =>
            {
                log.Append(perId.Batches, perId.HighestSequenceNr);
                _metrics.Written(perId.Events, perId.Bytes);
                return true;
            }), inline: alone);
        return appends;
    }

    /// <summary>Waits for the appends; reports the outcome to the health check and the metrics, and returns the first failure.</summary>
    private async Task<Exception?> Outcome(Dictionary<JournalWrite.PerId, Task<bool>> appends)
    {
        Exception? failure = null;
        foreach (var append in appends.Values)
        {
            try
            {
                await append.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure ??= e;
                _metrics.Failed(e);
            }
        }
        _health.WriteFinished(failure);
        return failure;
    }

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken = default)
    {
        _ownership.Ensure();
        long started = Stopwatch.GetTimestamp();
        return _queue.Run(persistenceId, () => _logs.With(persistenceId, log =>
        {
            long highest = log.ReadHighestSequenceNr(fromSequenceNr);
            if (log.HoldsFile)
                log.RecoveryStarted = started; // the replay that follows completes the recovery
            else
                _metrics.Recovered(Stopwatch.GetElapsedTime(started));
            return highest;
        }), inline: !MoreMessagesWaiting());
    }

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        _ownership.Ensure();
        return _queue.Run(persistenceId, () => _logs.With(persistenceId, log =>
        {
            long started = log.RecoveryStarted is > 0 and var at ? at : Stopwatch.GetTimestamp();
            long replayed = 0;
            log.Replay(fromSequenceNr, toSequenceNr, max, (line, record) => record.ToPersistent(_serializer, log.EventsPath, line), persistent =>
            {
                replayed++;
                recoveryCallback(persistent);
            });
            _metrics.Replayed(replayed);
            _metrics.Recovered(Stopwatch.GetElapsedTime(started));
            return true;
        })); // never on the journal's thread: a long replay would hold up every other actor's writes
    }

    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        await _queue.Run(persistenceId, () => _logs.With(persistenceId, log =>
        {
            log.DeleteTo(toSequenceNr);
            return true;
        })).ConfigureAwait(false);
        _index.Deleted(persistenceId); // their index entries are dropped too, once enough of the index is dead
        if (_retention.CompactOnDelete)
            _ = Compact(persistenceId);
    }

    /// <summary>
    /// Queued after the deletion, not awaited by it: the deletion is acknowledged at once; writes of the same id that
    /// arrive meanwhile wait in the id's order for the compaction, writes of other ids do not wait at all.
    /// </summary>
    private Task Compact(string persistenceId) => _queue.Run(persistenceId, () => _logs.With(persistenceId, log =>
    {
        try
        {
            long removed = log.Compact(_retention.MinDeadBytes, _retention.MinDeadRatio);
            if (removed > 0)
            {
                _metrics.Compacted(removed);
                _log.Debug("Persistence id '{0}': compaction removed {1} bytes of deleted events", persistenceId, removed);
            }
            _storeSize.Check();
        }
        catch (Exception e)
        {
            _log.Error(e, "Persistence id '{0}': compaction failed; the log is unchanged and stays usable", persistenceId);
        }
        return true;
    }));

    /// <summary>Reported through Akka.Hosting's <c>WithHealthCheck()</c>: unhealthy when the journal cannot write (see <see cref="StoreHealth"/>).</summary>
    public override async Task<PersistenceHealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var breaker = await base.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        return breaker.Status != PersistenceHealthStatus.Healthy ? breaker : _ownership.Check() ?? _health.Check();
    }

    private void EnsureWritable()
    {
        _ownership.Ensure();
        if (_ownership.ReadOnlyReason is { } reason)
            throw new StoreReadOnlyException($"Cannot write: the MiniStore journal in '{_settings.Directory}' is read-only ({reason}). Replay and queries work; writes fail until it can be written.");
    }

    /// <summary>Whether the journal's mailbox holds more requests: then work goes to the write threads rather than block this one.</summary>
    private bool MoreMessagesWaiting() => Context is ActorCell { Mailbox: { } mailbox } && mailbox.MessageQueue.HasMessages;

    protected override void PostStop()
    {
        _queue.Dispose();
        bool drained = _queue.Drain(TimeSpan.FromSeconds(10));
        _logs.CloseAll();
        _index.Dispose(allWritesResolved: drained);
        _ownership.Dispose();
        _metrics.Dispose();
        base.PostStop();
    }
}
