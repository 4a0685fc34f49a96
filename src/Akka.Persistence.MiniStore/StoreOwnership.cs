using Akka.Event;
using MiniStore;

namespace Akka.Persistence.MiniStore;

/// <summary>
/// The journal's or snapshot store's claim on its directory, taken before anything in it is touched:
/// <list type="bullet">
/// <item>The directory is created if missing. When it cannot be written (a read-only mount, no permission) the store is
/// <b>read-only</b>: reads go on (replay, snapshots, queries), every write fails at once with a
/// <see cref="Journal.StoreReadOnlyException"/> naming the directory and why, and the health check says so.</item>
/// <item>Otherwise a <see cref="StoreLock"/>, so that two actor systems, in one process or two, never write one store.
/// If another owner holds it, every request fails with the same <see cref="StoreLockedException"/> (naming the
/// directory and the owner's process id) and nothing is read or written; each request tries again, so the plugin
/// starts serving as soon as the other owner has gone. <c>onOwned</c> runs once the store is ours (or read-only), told why it cannot be written if it cannot:
/// the journal starts its event index then, never before.</item>
/// </list>
/// </summary>
internal sealed class StoreOwnership : IDisposable
{
    private readonly string _directory;
    private readonly string _lockFileName;
    private readonly string _owner;
    private readonly MiniStoreOptions _options;
    private readonly ILoggingAdapter _log;
    private readonly Action<string?> _onOwned;
    private readonly object _gate = new();
    private StoreLock? _lock;
    private bool _owned;
    private StoreLockedException? _refused;

    public StoreOwnership(string directory, string lockFileName, string owner, MiniStoreOptions options, UnixFileMode directoryMode, ILoggingAdapter log, Action<string?>? onOwned = null)
    {
        _directory = directory;
        _lockFileName = lockFileName;
        _owner = owner;
        _options = options;
        _log = log;
        _onOwned = onOwned ?? (_ => { });
        try
        {
            DurableDirectory.Create(directory, options.FileSync, directoryMode); // nothing is written when it exists
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!Directory.Exists(directory))
                _log.Error(e, "{0} cannot create its directory '{1}'; every request fails until it exists", owner, directory);
        }
        try { Ensure(); } catch (IOException) { /* logged; every request will fail with it */ }
    }

    /// <summary>Why the directory cannot be written (known once the store is ours), or null when it can.</summary>
    public string? ReadOnlyReason { get; private set; }

    /// <summary>Returns when this plugin may read its directory (it owns it, or it is read-only); otherwise throws.</summary>
    public void Ensure()
    {
        bool first;
        lock (_gate)
        {
            first = EnsureLocked();
        }
        if (first)
            _onOwned(ReadOnlyReason);
    }

    /// <summary>
    /// True the first time the store is found ours. The lock comes first: until it is held nothing in the directory is
    /// written, not even the probe that tells whether new files can be made.
    /// </summary>
    private bool EnsureLocked()
    {
        if (_owned)
            return false;
        if (!Directory.Exists(_directory))
            throw new DirectoryNotFoundException($"{_owner}: its directory '{_directory}' does not exist and could not be created (removed or unmounted?).");
        try
        {
            _lock = StoreLock.Acquire(_directory, _lockFileName, _owner, _options);
            if (_refused is not null)
                _log.Info("{0}: the other owner has gone; now owns '{1}'", _owner, _directory);
            _refused = null;
            ReadOnlyReason = WriteProblem(_directory);
        }
        catch (StoreLockedException e)
        {
            if (_refused is null)
                _log.Error(e, "{0} cannot start: {1}", _owner, e.Message);
            _refused = e;
            throw;
        }
        catch (Exception e) when (IsReadOnly(e))
        {
            ReadOnlyReason = e.Message; // the lock file cannot even be opened for writing: nothing can be written
        }
        if (ReadOnlyReason is not null)
            _log.Warning("{0}: '{1}' cannot be written ({2}); replay and queries work, writes fail until it can be written and the system restarts", _owner, _directory, ReadOnlyReason);
        _owned = true;
        return true;
    }

    /// <summary>For health checks: null while this plugin owns its directory (or now takes it) and can write it, else why not.</summary>
    public PersistenceHealthCheckResult? Check()
    {
        try
        {
            Ensure();
        }
        catch (IOException e)
        {
            return new PersistenceHealthCheckResult(PersistenceHealthStatus.Unhealthy, e.Message, e);
        }
        return ReadOnlyReason is { } reason
            ? new PersistenceHealthCheckResult(PersistenceHealthStatus.Unhealthy, $"{_owner}: '{_directory}' is read-only ({reason}): replay and queries work, writes fail")
            : null;
    }

    /// <summary>Why a new file cannot be made in <paramref name="directory"/>, or null when it can (an empty probe file, created and deleted).</summary>
    internal static string? WriteProblem(string directory)
    {
        try
        {
            string probe = Path.Combine(directory, $".probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            return null;
        }
        catch (Exception e) when (IsReadOnly(e))
        {
            return e.Message;
        }
    }

    /// <summary>A read-only file system or missing permission (not a full disk, which frees up again).</summary>
    private static bool IsReadOnly(Exception e) => e is UnauthorizedAccessException || e is IOException { HResult: 1 or 13 or 30 };

    public void Dispose()
    {
        lock (_gate)
        {
            _lock?.Dispose();
            _lock = null;
            _owned = false;
        }
    }
}
