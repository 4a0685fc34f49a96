using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Index;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// Akka.Persistence journal on MiniStore logs: one JSONL log per persistence id in the configured directory, every
/// write fsync'd before it is acknowledged, each <see cref="AtomicWrite"/> stored as one atomic batch.
/// </summary>
public sealed class MiniStoreJournal : AsyncWriteJournal
{
    private readonly MiniStoreSettings _settings;
    private readonly RetentionSettings _retention;
    private readonly StoreSizeWatch _storeSize;
    private readonly MiniStoreOptions _logOptions;
    private readonly PayloadSerializer _serializer;
    private readonly EventRecordWriter _records;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ConcurrentDictionary<string, PersistenceIdLog> _logs = new();
    private readonly StoreHealth _health;
    private readonly EventIndexWriter _index;
    private readonly StoreOwnership _ownership;
    private readonly OpenFileBudget _openFiles;

    /// <summary>The lock file that makes one journal the owner of its directory.</summary>
    public const string LockFileName = "journal.lock";
    private readonly WriteThreads _writeThreads;
    private int _writesInFlight;

    public MiniStoreJournal(Config config)
    {
        var merged = config.WithFallback(MiniStorePersistence.DefaultConfiguration().GetConfig(MiniStorePersistence.JournalConfigPath));
        _settings = MiniStoreSettings.Create(merged, MiniStorePersistence.JournalConfigPath);
        _retention = RetentionSettings.Create(merged);
        _logOptions = _settings.ToLogOptions(Context.System);
        _settings.EnsureDirectory(_settings.Directory, _logOptions.FileSync);
        _openFiles = new OpenFileBudget(merged.GetInt("max-open-files", 0), MiniStorePersistence.JournalConfigPath + ".max-open-files");
        _writeThreads = new WriteThreads(merged.GetInt("write-threads", WriteThreads.DefaultMaxThreads), MiniStorePersistence.JournalConfigPath + ".write-threads");
        _serializer = new PayloadSerializer(Context.System);
        _records = new EventRecordWriter(_serializer);
        _health = new StoreHealth(_settings.Directory, "journal");
        _index = new EventIndexWriter(_settings.Directory, _logOptions, IndexSignals.Get(Context.System).For(_settings.Directory), _log);
        _ownership = new StoreOwnership(_settings.Directory, LockFileName, $"MiniStore journal of actor system '{Context.System.Name}'", _logOptions, _log);
        _storeSize = new StoreSizeWatch(_settings.Directory, _retention, _log);
        _log.Info("MiniStore journal in '{0}'", _settings.Directory);
    }

    public override async Task ReplayMessagesAsync(Akka.Actor.IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        _ownership.Ensure();
        await LogFor(persistenceId).ReplayAsync(fromSequenceNr, toSequenceNr, max, _serializer, recoveryCallback).ConfigureAwait(false);
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken = default)
    {
        _ownership.Ensure();
        var log = LogFor(persistenceId);
        return await log.RunInOrder(async () =>
        {
            await log.LoadAsync().ConfigureAwait(false);
            return log.HighestSequenceNr;
        }).ConfigureAwait(false);
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken = default)
    {
        _ownership.Ensure();
        var writes = messages as IReadOnlyList<AtomicWrite> ?? messages.ToList();
        var rejections = new Exception?[writes.Count];
        var byId = new Dictionary<string, PendingWrites>();
        long timestamp = DateTime.UtcNow.Ticks;
        int eventCount = 0;
        foreach (var write in writes)
            eventCount += ((IImmutableList<IPersistentRepresentation>)write.Payload).Count;
        // The records of the whole call in one pooled buffer, given back once every append has copied them (below).
        var records = new JsonRecordBuffer(eventCount, 256);

        for (int i = 0; i < writes.Count; i++)
        {
            var events = (IImmutableList<IPersistentRepresentation>)writes[i].Payload;
            string pid = writes[i].PersistenceId;
            int first = records.Count;
            long firstOrdering = 0;
            try
            {
                if (!_logs.ContainsKey(pid))
                    PersistenceIdFileName.For(pid); // refuses an id no file can hold, before anything is queued (a known id has its file name)
                firstOrdering = _index.NextOrderings(events.Count);
                _records.Write(events, firstOrdering, timestamp, records);
                RefuseUnstorable(events, records, first);
            }
            catch (Exception e) when (e is PayloadNotStorableException or ArgumentException)
            {
                records.Truncate(first);
                rejections[i] = e;
                continue;
            }
            if (!byId.TryGetValue(pid, out var pending))
                byId[pid] = pending = new PendingWrites();
            pending.Ranges.Add((first, events.Count));
            for (int k = 0; k < events.Count; k++)
                pending.IndexEntries.Add(new IndexEntry(firstOrdering + k, pid, events[k].SequenceNr, EventRecord.TagsOf(events[k])));
            pending.HighestSequenceNr = Math.Max(pending.HighestSequenceNr, writes[i].HighestSequenceNr);
        }

        // Queue every id's append now, in call order, then wait. A lone append while no other write is in flight or
        // waiting in the mailbox is written on this thread (no hop before its fsync); otherwise each touched file is
        // fsync'd on a write thread, so that the fsyncs of different files run in parallel, one per file.
        bool inline = byId.Count == 1 && Volatile.Read(ref _writesInFlight) == 0 && !(Context is ActorCell { Mailbox: { } mailbox } && mailbox.MessageQueue.HasMessages);
        var written = records.Records();
        var appends = new List<Task>(byId.Count);
        var stored = new List<(Task, IReadOnlyList<IndexEntry>)>(byId.Count);
        foreach (var (pid, pending) in byId)
        {
            var append = AppendInOrder(LogFor(pid), pending.Batches(written), pending.HighestSequenceNr, inline);
            appends.Add(append);
            stored.Add((append, pending.IndexEntries));
        }
        var indexed = _index.AppendWhenStored(stored);
        try
        {
            await Task.WhenAll(appends).ConfigureAwait(false);
            _health.WriteFinished(null);
            _storeSize.Check();
        }
        catch (Exception e)
        {
            _health.WriteFinished(e);
            throw;
        }
        finally
        {
            records.Dispose(); // every append has completed, so none reads the records any more
        }
        await indexed.ConfigureAwait(false);
        return Array.Exists(rejections, r => r is not null) ? rejections.ToImmutableList() : null!;
    }

    private Task AppendInOrder(PersistenceIdLog log, IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> batches, long highestSequenceNr, bool inline) =>
        log.RunInOrder(async () =>
        {
            Interlocked.Increment(ref _writesInFlight);
            try
            {
                Func<Task> append = () => log.AppendAsync(batches, highestSequenceNr);
                await (inline ? append() : _writeThreads.Run(append)).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _writesInFlight);
            }
            return true;
        });

    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        _ownership.Ensure();
        var log = LogFor(persistenceId);
        await log.RunInOrder(async () =>
        {
            await log.DeleteToAsync(toSequenceNr).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        if (_retention.CompactOnDelete)
            _ = CompactAsync(log);
    }

    /// <summary>
    /// Queued after the deletion, not awaited by it: the deletion is acknowledged at once; writes of the same id that
    /// arrive meanwhile wait in the id's order for the compaction, writes of other ids do not wait at all.
    /// </summary>
    private Task CompactAsync(PersistenceIdLog log) => log.RunInOrder(async () =>
    {
        try
        {
            long removed = await log.CompactAsync(_retention.MinDeadBytes, _retention.MinDeadRatio).ConfigureAwait(false);
            if (removed > 0)
                _log.Debug("Persistence id '{0}': compaction removed {1} bytes of deleted events", log.PersistenceId, removed);
            _storeSize.Check();
        }
        catch (Exception e)
        {
            _log.Error(e, "Persistence id '{0}': compaction failed; the log is unchanged and stays usable", log.PersistenceId);
        }
        return true;
    });

    /// <summary>Reported through Akka.Hosting's <c>WithHealthCheck()</c>: unhealthy when the journal cannot write (see <see cref="StoreHealth"/>).</summary>
    public override async Task<PersistenceHealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var breaker = await base.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        return breaker.Status != PersistenceHealthStatus.Healthy ? breaker : _ownership.Check() ?? _health.Check();
    }

    private const int LineFraming = MiniStoreLog.MaxLineFraming;

    /// <summary>
    /// The engine refuses a line longer than max-record-size, or a record with a raw line break (only a converter
    /// writing raw JSON, say pretty-printed, can produce one), failing the whole append of the persistence id. Found
    /// here, before anything is queued, such an event is rejected on its own: it could never be stored, and the other
    /// writes of the call (of this and other persistence ids) go ahead.
    /// </summary>
    private void RefuseUnstorable(IImmutableList<IPersistentRepresentation> events, JsonRecordBuffer records, int first)
    {
        for (int i = 0; i < events.Count; i++)
        {
            var record = records.Record(first + i);
            if (record.Length + LineFraming > _settings.MaxRecordSize)
                throw new PayloadNotStorableException(
                    $"{What(events[i])}: its record is {record.Length} bytes, more than the {_settings.MaxRecordSize - LineFraming} bytes that max-record-size = {_settings.MaxRecordSize} allows.");
            if (LineEncoder.RecordProblem(record, parse: false) is { } problem) // the engine's own check, as it will run it
                throw new PayloadNotStorableException(
                    $"{What(events[i])}: its record cannot be one log line: {problem} (a JSON converter writing raw, pretty-printed JSON does that).");
        }

        static string What(IPersistentRepresentation e) => $"Cannot store event {e.SequenceNr} ({e.Payload.GetType().FullName}) of persistence id '{e.PersistenceId}'";
    }

    private PersistenceIdLog LogFor(string persistenceId) =>
        _logs.GetOrAdd(persistenceId, id => new PersistenceIdLog(id, _settings.Directory, _logOptions, _openFiles, _log));

    protected override void PostStop()
    {
        foreach (var log in _logs.Values)
            log.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        _logs.Clear();
        _index.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        _ownership.Dispose();
        _writeThreads.Dispose();
        base.PostStop();
    }

    /// <summary>What one call writes to one persistence id: its atomic writes as ranges of the call's records, and their index entries.</summary>
    private sealed class PendingWrites
    {
        public List<(int Start, int Count)> Ranges { get; } = new();
        public long HighestSequenceNr { get; set; }
        public List<IndexEntry> IndexEntries { get; } = new();

        public IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> Batches(ReadOnlyMemory<byte>[] records) =>
            Ranges.ConvertAll(range => (IReadOnlyList<ReadOnlyMemory<byte>>)new ArraySegment<ReadOnlyMemory<byte>>(records, range.Start, range.Count));
    }
}
