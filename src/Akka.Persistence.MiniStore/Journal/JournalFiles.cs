using Akka.Event;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// What every <see cref="PersistenceIdLog"/> of one journal shares: where files are, how they are opened (through the
/// <see cref="OpenLogs"/> budget, and for reading when the store or a file cannot be written), whether the store is
/// read-only, and how repairs and problems are reported.
/// </summary>
internal sealed class JournalFiles(StoreLayout layout, MiniStoreOptions options, ILoggingAdapter log, PluginMetrics metrics, Func<string, long> indexedHighest)
{
    public StoreLayout Layout { get; } = layout;
    public MiniStoreOptions Options { get; } = options;
    public OpenLogs? Budget { get; set; }

    /// <summary>Why the store cannot be written (a read-only file system, no permission), or null when it can.</summary>
    public Func<string?> ReadOnlyReason { get; set; } = () => null;
    public bool IsReadOnly => ReadOnlyReason() is not null;

    /// <summary>The highest sequence number of a persistence id that the event index lists (read only when a log looks lost).</summary>
    public long IndexedHighest(string persistenceId) => indexedHighest(persistenceId);

    /// <summary>
    /// Opens an existing event log through the budget: for appending, or (<paramref name="orForReading"/>) for reading
    /// when it cannot be written (no permission, a read-only file system), so that recovery still works.
    /// </summary>
    public MiniStoreLog Open(string path, string persistenceId, bool orForReading) => Open(() =>
    {
        if (IsReadOnly)
            return MiniStoreLog.Open(path, Options, readOnly: true);
        try
        {
            return MiniStoreLog.Open(path, Options);
        }
        catch (Exception e) when (orForReading && (e is UnauthorizedAccessException || e is IOException { HResult: EACCES or EPERM or EROFS }))
        {
            return MiniStoreLog.Open(path, Options, readOnly: true);
        }
    }, path, persistenceId);

    /// <summary>Runs a file operation through the budget; a failure to open names the file and the persistence id.</summary>
    public T Open<T>(Func<T> open, string path, string persistenceId)
    {
        try
        {
            return Budget is null ? open() : Budget.Open(open);
        }
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException) and not CorruptLogException and not LostEventsException && !e.Message.Contains(persistenceId, StringComparison.Ordinal))
        {
            throw new IOException($"Cannot open the log of persistence id '{persistenceId}' at '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// The highest sequence number of the id that every shipper of the store has delivered (long.MaxValue when the
    /// store is not shipped; 0, so that nothing is removed, when a position log cannot be read).
    /// </summary>
    public long DeliveredByShippers(string persistenceId)
    {
        try
        {
            return ShippedPositions.DeliveredByAll(Layout, persistenceId, Options) ?? long.MaxValue;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn(persistenceId, $"compaction skipped: the shipping positions in '{Layout.ShippingDirectory}' cannot be read ({e.Message}), so events a shipper has not delivered could be removed");
            return 0;
        }
    }

    /// <summary>A vanished journal directory (removed, unmounted) must not silently become a new, empty journal.</summary>
    public void CheckDirectory(string persistenceId, string path)
    {
        if (!Directory.Exists(Layout.JournalDirectory))
            throw new DirectoryNotFoundException($"Cannot open the log of persistence id '{persistenceId}' at '{path}': the journal directory '{Layout.JournalDirectory}' does not exist (removed or unmounted?).");
    }

    public void RefuseReadOnly(string what, string? reason = null)
    {
        if ((reason ?? ReadOnlyReason()) is { } why)
            throw new StoreReadOnlyException($"Cannot {what}: the MiniStore journal in '{Layout.JournalDirectory}' is read-only ({why}). Replay and queries work; writes fail until it can be written.");
    }

    public void Warn(string persistenceId, string message) => log.Warning("Persistence id '{0}': {1}", persistenceId, message);

    public void Repaired(string persistenceId, TornTail repair)
    {
        metrics.TornTailRepaired();
        Warn(persistenceId, repair.ToString());
    }

    /// <summary>Damage found by the engine, with the persistence id whose recovery it stops added when the message lacks it.</summary>
    public CorruptLogException NamingId(CorruptLogException e, string persistenceId) =>
        e.Problem.Contains($"persistence id '{persistenceId}'", StringComparison.Ordinal)
            ? e
            : new CorruptLogException(e.LogPath, e.LineNumber, e.Offset, $"{e.Problem} (in the log of persistence id '{persistenceId}')", e);

    private const int EPERM = 1, EACCES = 13, EROFS = 30;
}

/// <summary>A write refused because the store cannot be written (read-only file system, no permission); replay and queries still work.</summary>
public sealed class StoreReadOnlyException(string message) : IOException(message);
