using Akka.Event;
using MiniStore;

namespace Akka.Persistence.MiniStore;

/// <summary>
/// The journal's or snapshot store's claim on its directory (a <see cref="StoreLock"/>), so that two actor systems,
/// in one process or two, never write one store. Taken when the plugin starts; if another owner holds it, the plugin
/// logs the error at once and fails every request with the same <see cref="StoreLockedException"/> (naming the
/// directory and the owner's process id) instead of touching a file. Each request tries again, so the plugin starts
/// serving as soon as the other owner has gone.
/// </summary>
internal sealed class StoreOwnership : IDisposable
{
    private readonly string _directory;
    private readonly string _lockFileName;
    private readonly string _owner;
    private readonly MiniStoreOptions _options;
    private readonly ILoggingAdapter _log;
    private readonly object _gate = new();
    private StoreLock? _lock;
    private StoreLockedException? _refused;

    public StoreOwnership(string directory, string lockFileName, string owner, MiniStoreOptions options, ILoggingAdapter log)
    {
        _directory = directory;
        _lockFileName = lockFileName;
        _owner = owner;
        _options = options;
        _log = log;
        try { Ensure(); } catch (StoreLockedException) { /* logged; every request will fail with it */ }
    }

    /// <summary>Returns when this plugin owns its directory; otherwise throws <see cref="StoreLockedException"/>.</summary>
    public void Ensure()
    {
        lock (_gate)
            EnsureLocked();
    }

    private void EnsureLocked()
    {
        if (_lock is not null)
            return;
        try
        {
            _lock = StoreLock.Acquire(_directory, _lockFileName, _owner, _options);
            if (_refused is not null)
                _log.Info("{0}: the other owner has gone; now owns '{1}'", _owner, _directory);
            _refused = null;
        }
        catch (StoreLockedException e)
        {
            if (_refused is null)
                _log.Error(e, "{0} cannot start: {1}", _owner, e.Message);
            _refused = e;
            throw;
        }
    }

    /// <summary>For health checks: null while this plugin owns its directory (or now takes it), else why it does not.</summary>
    public PersistenceHealthCheckResult? Check()
    {
        try
        {
            Ensure();
            return null;
        }
        catch (StoreLockedException e)
        {
            return new PersistenceHealthCheckResult(PersistenceHealthStatus.Unhealthy, e.Message, e);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _lock?.Dispose();
            _lock = null;
        }
    }
}
