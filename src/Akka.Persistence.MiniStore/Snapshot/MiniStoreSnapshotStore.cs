using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.MiniStore.Journal;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Snapshot;

/// <summary>
/// Akka.Persistence snapshot store: one directory per persistence id, one file per snapshot named
/// <c>&lt;sequence nr&gt;-&lt;timestamp ticks&gt;.snapshot.json</c> (<see cref="SnapshotFile"/>), holding one CRC-checked
/// record. A snapshot is written to a temporary file, fsync'd, renamed into place and the directory fsync'd, so a crash
/// leaves either the old set of snapshots or the new one. Operations on one persistence id run one after another, in
/// the order received (<see cref="KeyedWorkQueue"/>): two saves at the same sequence number must not delete each
/// other's file, and a load must not read a file that a save is replacing.
/// </summary>
public sealed class MiniStoreSnapshotStore : global::Akka.Persistence.Snapshot.SnapshotStore
{
    /// <summary>The lock file that makes one snapshot store the owner of its directory.</summary>
    public const string LockFileName = StoreLayout.SnapshotLockFile;

    private readonly MiniStoreSettings _settings;
    private readonly MiniStoreOptions _logOptions;
    private readonly StoreLayout _layout;
    private readonly PayloadSerializer _serializer;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StoreHealth _health;
    private readonly int _keepSnapshots;
    private readonly StoreOwnership _ownership;
    private readonly PluginMetrics _metrics;
    private readonly KeyedWorkQueue _queue = new(4, "ministore-snapshots");

    public MiniStoreSnapshotStore(Config config)
    {
        var merged = MiniStorePersistence.SnapshotStoreConfig(config, Context.System);
        _settings = MiniStoreSettings.Create(merged, MiniStorePersistence.SnapshotStoreConfigPath);
        _metrics = new PluginMetrics(Self.Path.Name, _settings.Directory);
        _logOptions = _settings.ToLogOptions(Context.System, _metrics);
        _layout = new StoreLayout(_settings.Directory, _settings.Directory);
        _serializer = new PayloadSerializer(Context.System);
        _health = new StoreHealth(_settings.Directory, "snapshot store");
        _keepSnapshots = merged.GetInt("keep-snapshots", 0);
        _ownership = new StoreOwnership(_settings.Directory, LockFileName, $"MiniStore snapshot store of actor system '{Context.System.Name}'", _logOptions, _settings.DirectoryMode, _log);
    }

    /// <summary>Reported through Akka.Hosting's <c>WithHealthCheck()</c>: unhealthy when the store cannot write (see <see cref="StoreHealth"/>) or another owner holds its directory.</summary>
    public override async Task<PersistenceHealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var breaker = await base.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        return breaker.Status != PersistenceHealthStatus.Healthy ? breaker : _ownership.Check() ?? _health.Check();
    }

    protected override void PostStop()
    {
        _queue.Dispose();
        _queue.Drain(TimeSpan.FromSeconds(10));
        _ownership.Dispose();
        _metrics.Dispose();
        base.PostStop();
    }

    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default) =>
        InOrder(persistenceId, write: false, () =>
        {
            foreach (var file in Matching(persistenceId, criteria).OrderByDescending(f => f.SequenceNr).ThenByDescending(f => f.Ticks))
            {
                try
                {
                    return file.Read(persistenceId, _serializer, _logOptions);
                }
                catch (Exception e) when (e is not NotARegularFileException)
                {
                    // As Akka's own local snapshot store does: an unreadable snapshot is reported and an older one tried;
                    // the journal still holds the events, so recovery replays more of them rather than losing any. A link
                    // or a directory in its place is not skipped: the recovery fails, naming it, and nothing is followed.
                    _log.Error(e, "Snapshot '{0}' of persistence id '{1}' cannot be read; trying an older snapshot", file.Path, persistenceId);
                }
            }
            return (SelectedSnapshot?)null;
        });

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default) =>
        InOrder(metadata.PersistenceId, write: true, () =>
        {
            try
            {
                Save(metadata, snapshot);
                _health.WriteFinished(null);
            }
            catch (Exception e)
            {
                _health.WriteFinished(e);
                _metrics.Failed(e);
                throw;
            }
            return true;
        });

    private void Save(SnapshotMetadata metadata, object snapshot)
    {
        var record = SnapshotRecord.Write(metadata, snapshot, _serializer);
        string directory = DirectoryOf(metadata.PersistenceId);
        var file = new SnapshotFile(directory, metadata.SequenceNr, metadata.Timestamp.ToUniversalTime().Ticks);
        string temporary = file.Path + ".tmp";
        try
        {
            _settings.EnsureDirectory(directory, _logOptions.FileSync);
            File.Delete(temporary); // left by a crash during an earlier save
            using (var log = MiniStoreLog.Open(temporary, _logOptions))
                log.Append(record);
            File.Move(temporary, file.Path, overwrite: true);
            _logOptions.FileSync.SyncDirectory(directory);
        }
        catch (Exception e)
        {
            TryDelete(temporary);
            throw new IOException($"Could not save snapshot {metadata.SequenceNr} of persistence id '{metadata.PersistenceId}' to '{file.Path}': {e.Message}", e);
        }
        // An overwrite at the same sequence number replaces the earlier snapshot.
        Delete(Files(metadata.PersistenceId).Where(f => f.SequenceNr == metadata.SequenceNr && f.Path != file.Path), directory);
        // keep-snapshots: only the newest N stay, once the new one is durably in place.
        if (_keepSnapshots > 0)
            Delete(Files(metadata.PersistenceId).OrderByDescending(f => f.SequenceNr).ThenByDescending(f => f.Ticks).Skip(_keepSnapshots), directory);
    }

    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        // As Akka's own stores do: without a timestamp (MinValue, or MaxValue) any snapshot at that sequence number
        // is meant, with one only the snapshot taken at that time.
        bool anyTime = metadata.Timestamp == DateTime.MinValue || metadata.Timestamp == DateTime.MaxValue;
        long ticks = anyTime ? 0 : metadata.Timestamp.ToUniversalTime().Ticks;
        return InOrder(metadata.PersistenceId, write: true, () =>
        {
            Delete(Files(metadata.PersistenceId).Where(f => f.SequenceNr == metadata.SequenceNr && (anyTime || f.Ticks == ticks)), DirectoryOf(metadata.PersistenceId));
            return true;
        });
    }

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default) =>
        InOrder(persistenceId, write: true, () =>
        {
            Delete(Matching(persistenceId, criteria), DirectoryOf(persistenceId));
            return true;
        });

    /// <summary>Runs <paramref name="operation"/> after every operation on <paramref name="persistenceId"/> started before it, once the store is ours (and writable, for a write).</summary>
    private Task<T> InOrder<T>(string persistenceId, bool write, Func<T> operation)
    {
        try
        {
            _ownership.Ensure();
            if (write && _ownership.ReadOnlyReason is { } reason)
                throw new StoreReadOnlyException($"Cannot change snapshots of persistence id '{persistenceId}': the MiniStore snapshot store in '{_settings.Directory}' is read-only ({reason}). Loading snapshots works.");
            PersistenceIdFileName.For(persistenceId);
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            return Task.FromException<T>(e);
        }
        return _queue.Run(persistenceId, operation);
    }

    private void Delete(IEnumerable<SnapshotFile> files, string directory)
    {
        bool any = false;
        foreach (var file in files.ToList())
        {
            File.Delete(file.Path);
            any = true;
        }
        if (any)
            _logOptions.FileSync.SyncDirectory(directory);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private IEnumerable<SnapshotFile> Matching(string persistenceId, SnapshotSelectionCriteria criteria)
    {
        long minTicks = criteria.MinTimestamp?.ToUniversalTime().Ticks ?? 0;
        long maxTicks = criteria.MaxTimeStamp.ToUniversalTime().Ticks;
        return Files(persistenceId).Where(f =>
            f.SequenceNr >= criteria.MinSequenceNr && f.SequenceNr <= criteria.MaxSequenceNr &&
            f.Ticks >= minTicks && f.Ticks <= maxTicks);
    }

    private IReadOnlyList<SnapshotFile> Files(string persistenceId) => StoreLayout.SnapshotFiles(DirectoryOf(persistenceId));

    /// <summary>A persistence id's snapshot directory; one that is a symbolic link is refused, so that nothing outside the store is read or written.</summary>
    private string DirectoryOf(string persistenceId)
    {
        string directory = _layout.SnapshotsOf(persistenceId)!;
        if (new DirectoryInfo(directory).LinkTarget is not null || File.Exists(directory))
            throw new IOException($"The snapshot directory of persistence id '{persistenceId}', '{directory}', is {(File.Exists(directory) ? "a file" : "a symbolic link")}: MiniStore neither follows links nor writes anywhere but its own directories.");
        return directory;
    }
}
