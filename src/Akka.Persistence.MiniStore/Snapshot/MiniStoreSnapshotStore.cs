using System.Globalization;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Snapshot;

/// <summary>
/// Akka.Persistence snapshot store: one directory per persistence id, one file per snapshot named
/// <c>&lt;sequence nr&gt;-&lt;timestamp ticks&gt;.snapshot.json</c>, holding one CRC-checked record. A snapshot is
/// written to a temporary file, fsync'd, renamed into place and the directory fsync'd, so a crash leaves either the
/// old set of snapshots or the new one.
/// </summary>
public sealed class MiniStoreSnapshotStore : global::Akka.Persistence.Snapshot.SnapshotStore
{
    private const string Extension = ".snapshot.json";

    private readonly MiniStoreSettings _settings;
    private readonly MiniStoreOptions _logOptions;
    private readonly PayloadSerializer _serializer;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // The base class starts each operation without waiting for the previous one. Operations on one persistence id
    // run one after another, in the order received: two saves at the same sequence number must not delete each
    // other's file, and a load must not read a file that a save is replacing.
    private readonly Dictionary<string, Task> _lastOperation = new();
    private readonly StoreHealth _health;
    private readonly int _keepSnapshots;
    private readonly StoreOwnership _ownership;

    /// <summary>The lock file that makes one snapshot store the owner of its directory.</summary>
    public const string LockFileName = "snapshots.lock";

    public MiniStoreSnapshotStore(Config config)
    {
        var merged = config.WithFallback(MiniStorePersistence.DefaultConfiguration().GetConfig(MiniStorePersistence.SnapshotStoreConfigPath));
        _settings = MiniStoreSettings.Create(merged, MiniStorePersistence.SnapshotStoreConfigPath);
        _logOptions = _settings.ToLogOptions(Context.System);
        _settings.EnsureDirectory(_settings.Directory, _logOptions.FileSync);
        _serializer = new PayloadSerializer(Context.System);
        _health = new StoreHealth(_settings.Directory, "snapshot store");
        _keepSnapshots = merged.GetInt("keep-snapshots", 0);
        _ownership = new StoreOwnership(_settings.Directory, LockFileName, $"MiniStore snapshot store of actor system '{Context.System.Name}'", _logOptions, _log);
    }

    /// <summary>Reported through Akka.Hosting's <c>WithHealthCheck()</c>: unhealthy when the store cannot write (see <see cref="StoreHealth"/>) or another owner holds its directory.</summary>
    public override async Task<PersistenceHealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var breaker = await base.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        return breaker.Status != PersistenceHealthStatus.Healthy ? breaker : _ownership.Check() ?? _health.Check();
    }

    protected override void PostStop()
    {
        _ownership.Dispose();
        base.PostStop();
    }

    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default) =>
        InOrder(persistenceId, () => LoadInOrderAsync(persistenceId, criteria, cancellationToken));

    private async Task<SelectedSnapshot?> LoadInOrderAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        foreach (var file in Matching(persistenceId, criteria).OrderByDescending(f => f.SequenceNr).ThenByDescending(f => f.Ticks))
        {
            try
            {
                return await ReadAsync(file.Path, persistenceId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // As Akka's own local snapshot store does: an unreadable snapshot is reported and an older one tried;
                // the journal still holds the events, so recovery replays more of them rather than losing any.
                _log.Error(e, "Snapshot '{0}' of persistence id '{1}' cannot be read; trying an older snapshot", file.Path, persistenceId);
            }
        }
        return null;
    }

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default) =>
        InOrder(metadata.PersistenceId, async () =>
        {
            try
            {
                await SaveInOrderAsync(metadata, snapshot, cancellationToken).ConfigureAwait(false);
                _health.WriteFinished(null);
            }
            catch (Exception e)
            {
                _health.WriteFinished(e);
                throw;
            }
            return true;
        });

    private async Task SaveInOrderAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        var record = SnapshotRecord.Write(metadata, snapshot, _serializer);
        string directory = DirectoryFor(metadata.PersistenceId);
        var file = new SnapshotFile(directory, metadata.SequenceNr, metadata.Timestamp.ToUniversalTime().Ticks);
        string temporary = file.Path + ".tmp";
        try
        {
            _settings.EnsureDirectory(directory, _logOptions.FileSync);
            File.Delete(temporary); // left by a crash during an earlier save
            await using (var log = await MiniStoreLog.OpenAsync(temporary, _logOptions, cancellationToken).ConfigureAwait(false))
                await log.AppendJsonAsync(record).ConfigureAwait(false);
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
        return InOrder(metadata.PersistenceId, () =>
        {
            Delete(Files(metadata.PersistenceId).Where(f => f.SequenceNr == metadata.SequenceNr && (anyTime || f.Ticks == ticks)), DirectoryFor(metadata.PersistenceId));
            return Task.FromResult(true);
        });
    }

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default) =>
        InOrder(persistenceId, () =>
        {
            Delete(Matching(persistenceId, criteria), DirectoryFor(persistenceId));
            return Task.FromResult(true);
        });

    /// <summary>Runs <paramref name="operation"/> after every operation on <paramref name="persistenceId"/> started before it.</summary>
    private Task<T> InOrder<T>(string persistenceId, Func<Task<T>> operation)
    {
        try
        {
            _ownership.Ensure();
        }
        catch (StoreLockedException e)
        {
            return Task.FromException<T>(e);
        }
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // never faults
        Task? previous;
        lock (_lastOperation)
        {
            _lastOperation.TryGetValue(persistenceId, out previous);
            _lastOperation[persistenceId] = finished.Task;
        }
        var task = RunAfter(previous, operation);
        task.ContinueWith(_ =>
        {
            lock (_lastOperation)
            {
                if (_lastOperation.TryGetValue(persistenceId, out var last) && last == finished.Task)
                    _lastOperation.Remove(persistenceId);
            }
            finished.SetResult();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;

        static async Task<T> RunAfter(Task? previous, Func<Task<T>> operation)
        {
            if (previous is not null)
                await previous.ConfigureAwait(false);
            return await operation().ConfigureAwait(false);
        }
    }

    private async Task<SelectedSnapshot> ReadAsync(string path, string persistenceId, CancellationToken cancellationToken)
    {
        await foreach (var record in MiniStoreLog.ReadAsync(path, _logOptions, cancellationToken).ConfigureAwait(false))
            return SnapshotRecord.Read(record, path, persistenceId, _serializer);
        throw new CorruptLogException(path, 1, 0, "snapshot file holds no complete record");
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

    private IEnumerable<SnapshotFile> Files(string persistenceId)
    {
        string directory = DirectoryFor(persistenceId);
        if (!Directory.Exists(directory))
            return [];
        return Directory.EnumerateFiles(directory, "*" + Extension)
            .Select(path => SnapshotFile.TryParse(path, out var file) ? file : null)
            .OfType<SnapshotFile>()
            .ToList();
    }

    private string DirectoryFor(string persistenceId) => Path.Combine(_settings.Directory, PersistenceIdFileName.For(persistenceId));

    private sealed record SnapshotFile(string Directory, long SequenceNr, long Ticks)
    {
        public string Path => System.IO.Path.Combine(Directory, $"{SequenceNr:D19}-{Ticks:D19}{Extension}");

        public static bool TryParse(string path, out SnapshotFile file)
        {
            file = null!;
            string name = System.IO.Path.GetFileName(path);
            var parts = name[..^Extension.Length].Split('-');
            if (parts.Length != 2
                || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long seq)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks))
                return false;
            file = new SnapshotFile(System.IO.Path.GetDirectoryName(path)!, seq, ticks);
            return true;
        }
    }
}
