using Akka.Persistence.MiniStore;

namespace MiniStore.Cli.Store;

/// <summary>
/// Where a store's files are. The journal keeps <c>&lt;name&gt;.jsonl</c> (events) and <c>&lt;name&gt;.deleted.jsonl</c>
/// (deletion marks) per persistence id; the snapshot store keeps <c>&lt;name&gt;/*.snapshot.json</c>; names come from
/// <see cref="PersistenceIdFileName"/>.
/// </summary>
internal sealed record StoreLayout(string JournalDirectory, string? SnapshotDirectory)
{
    public const string EventsExtension = ".jsonl";
    public const string DeletionsExtension = ".deleted.jsonl";
    public const string SnapshotExtension = ".snapshot.json";

    /// <summary>DIR is either a store root with journal/ (and snapshots/) or the journal directory, with snapshots/ beside it.</summary>
    public static StoreLayout? Find(DirectoryInfo directory)
    {
        if (!directory.Exists)
            return null;
        string root = directory.FullName;
        if (System.IO.Directory.Exists(Path.Combine(root, "journal")))
            return new StoreLayout(Path.Combine(root, "journal"), ExistingOrNull(Path.Combine(root, "snapshots")));
        string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(root));
        return new StoreLayout(root, parent is null ? null : ExistingOrNull(Path.Combine(parent, "snapshots")));
    }

    public IEnumerable<string> EventLogs() =>
        System.IO.Directory.EnumerateFiles(JournalDirectory, "*" + EventsExtension)
            .Where(f => !f.EndsWith(DeletionsExtension, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    public string EventLogFor(string persistenceId) => Path.Combine(JournalDirectory, PersistenceIdFileName.For(persistenceId) + EventsExtension);

    public static string DeletionsLogFor(string eventLog) => eventLog[..^EventsExtension.Length] + DeletionsExtension;

    /// <summary>Files the engine saved when it cut a torn tail off (<c>&lt;log&gt;.&lt;time&gt;.broken</c>).</summary>
    public IEnumerable<string> BrokenCopies() => System.IO.Directory.EnumerateFiles(JournalDirectory, "*.broken");

    public IReadOnlyList<string> SnapshotsFor(string eventLog)
    {
        if (SnapshotDirectory is null)
            return [];
        string directory = Path.Combine(SnapshotDirectory, Path.GetFileName(eventLog)[..^EventsExtension.Length]);
        return System.IO.Directory.Exists(directory) ? System.IO.Directory.GetFiles(directory, "*" + SnapshotExtension) : [];
    }

    private static string? ExistingOrNull(string path) => System.IO.Directory.Exists(path) ? path : null;
}
