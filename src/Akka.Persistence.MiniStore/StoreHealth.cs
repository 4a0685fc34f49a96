namespace Akka.Persistence.MiniStore;

/// <summary>
/// What a health check of the journal or snapshot store reports: unhealthy when the store's directory cannot take a
/// new file (gone, unmounted, read-only, full) or when the most recent write failed; healthy again once a write
/// succeeds. The probe creates and deletes an empty file without fsync, so frequent checks cost the disk nothing.
/// </summary>
public sealed class StoreHealth
{
    private readonly string _directory;
    private readonly string _storeName;
    private volatile Exception? _lastWriteFailure;

    public StoreHealth(string directory, string storeName)
    {
        _directory = directory;
        _storeName = storeName;
    }

    /// <summary>Records the outcome of a write: a failure makes the store unhealthy until a later write succeeds.</summary>
    public void WriteFinished(Exception? failure) => _lastWriteFailure = failure;

    public PersistenceHealthCheckResult Check()
    {
        if (_lastWriteFailure is { } failure)
            return new PersistenceHealthCheckResult(PersistenceHealthStatus.Unhealthy, $"MiniStore {_storeName} in '{_directory}': the last write failed: {failure.Message}", failure);
        try
        {
            string probe = Path.Combine(_directory, $".health-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            return new PersistenceHealthCheckResult(PersistenceHealthStatus.Healthy, $"MiniStore {_storeName} in '{_directory}' is writable");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PersistenceHealthCheckResult(PersistenceHealthStatus.Unhealthy, $"MiniStore {_storeName} cannot write to '{_directory}': {e.Message}", e);
        }
    }
}
