using System.Globalization;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Storage;

/// <summary>
/// Where a MiniStore store keeps what (docs/FORMAT.md), the one place its file names are made: the journal directory
/// holds <c>&lt;name&gt;.jsonl</c> (events) and <c>&lt;name&gt;.deleted.jsonl</c> (deletion marks) per persistence id,
/// <c>index/events.jsonl</c> (the event index) and <c>journal.lock</c>; the snapshot directory holds
/// <c>&lt;name&gt;/&lt;seq&gt;-&lt;ticks&gt;.snapshot.json</c>; beside the journal directory, <c>shipping/</c> holds the
/// position logs of shippers (<see cref="ShippedPositions"/>). Names come from <see cref="PersistenceIdFileName"/>.
/// The journal, the read journal, the shipper and the ministore tool all find files through this type.
/// </summary>
public sealed record StoreLayout(string JournalDirectory, string? SnapshotDirectory = null)
{
    public const string EventLogExtension = ".jsonl";
    public const string DeletionLogExtension = ".deleted.jsonl";
    public const string SnapshotExtension = ".snapshot.json";
    public const string JournalLockFile = "journal.lock";
    public const string SnapshotLockFile = "snapshots.lock";

    /// <summary>
    /// The layout of a directory given by a person: a store root holding <c>journal/</c> (and <c>snapshots/</c>), or a
    /// journal directory (with <c>snapshots/</c> beside it, if there is one). Null when the directory does not exist.
    /// </summary>
    public static StoreLayout? Find(string directory)
    {
        string root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
            return null;
        string? Existing(string path) => Directory.Exists(path) ? path : null;
        if (Directory.Exists(Path.Combine(root, "journal")))
            return new StoreLayout(Path.Combine(root, "journal"), Existing(Path.Combine(root, "snapshots")));
        string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(root));
        return new StoreLayout(root, parent is null ? null : Existing(Path.Combine(parent, "snapshots")));
    }

    /// <summary>The event log of a persistence id.</summary>
    public string EventLog(string persistenceId) => Path.Combine(JournalDirectory, PersistenceIdFileName.For(persistenceId) + EventLogExtension);

    /// <summary>The deletion marks of a persistence id.</summary>
    public string DeletionLog(string persistenceId) => DeletionLogOf(EventLog(persistenceId));

    /// <summary>The deletion log beside an event log.</summary>
    public static string DeletionLogOf(string eventLog) => eventLog[..^EventLogExtension.Length] + DeletionLogExtension;

    /// <summary>The event index: every stored event's ordering, persistence id, sequence number and tags, in ordering order.</summary>
    public string EventIndex => Path.Combine(JournalDirectory, "index", "events.jsonl");

    /// <summary>Every event log in the journal directory, in file name order (not deletion logs, not the index, not saved torn tails).</summary>
    public IEnumerable<string> EventLogs() =>
        Directory.Exists(JournalDirectory)
            ? Directory.EnumerateFiles(JournalDirectory, "*" + EventLogExtension).Where(p => !p.EndsWith(DeletionLogExtension, StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [];

    /// <summary>
    /// Where shippers keep their position logs by default: <c>shipping/</c> beside the journal directory (in the store
    /// root), so that a shipper running beside the application needs no write permission in the journal directory.
    /// The journal's compaction reads every position log here (see <see cref="ShippedPositions.DeliveredByAll"/>).
    /// </summary>
    public string ShippingDirectory =>
        Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(JournalDirectory))) ?? JournalDirectory, "shipping");

    /// <summary>The default position log of the shipper named <paramref name="name"/> (one per target).</summary>
    public string ShippingPosition(string name) => Path.Combine(ShippingDirectory, name + EventLogExtension);

    /// <summary>Every position log in <see cref="ShippingDirectory"/>, in file name order.</summary>
    public IEnumerable<string> ShippingPositions() =>
        Directory.Exists(ShippingDirectory)
            ? Directory.EnumerateFiles(ShippingDirectory, "*" + EventLogExtension).Order(StringComparer.Ordinal)
            : [];

    /// <summary>The copies of torn tails the engine saved when it cut them off (<c>&lt;log&gt;.&lt;time&gt;.broken</c>).</summary>
    public IEnumerable<string> BrokenCopies() =>
        Directory.Exists(JournalDirectory) ? Directory.EnumerateFiles(JournalDirectory, "*.broken").Order(StringComparer.Ordinal) : [];

    /// <summary>The snapshot directory of a persistence id (null without a snapshot directory).</summary>
    public string? SnapshotsOf(string persistenceId) => SnapshotDirectory is null ? null : Path.Combine(SnapshotDirectory, PersistenceIdFileName.For(persistenceId));

    /// <summary>The snapshot directory belonging to an event log (null without a snapshot directory).</summary>
    public string? SnapshotsOfLog(string eventLog) =>
        SnapshotDirectory is null ? null : Path.Combine(SnapshotDirectory, Path.GetFileName(eventLog)[..^EventLogExtension.Length]);

    /// <summary>
    /// The snapshot files in a persistence id's snapshot directory, in no particular order: every entry named like one,
    /// also a link or a directory (which the snapshot store then refuses to read, naming it, rather than skip it).
    /// </summary>
    public static IReadOnlyList<SnapshotFile> SnapshotFiles(string? snapshotsOfId) =>
        snapshotsOfId is not null && Directory.Exists(snapshotsOfId)
            ? Directory.EnumerateFileSystemEntries(snapshotsOfId, "*" + SnapshotExtension).Select(SnapshotFile.TryParse).OfType<SnapshotFile>().ToList()
            : [];
}

/// <summary>One snapshot file: <c>&lt;sequence nr, 19 digits&gt;-&lt;UTC ticks, 19 digits&gt;.snapshot.json</c> in its persistence id's directory.</summary>
public sealed record SnapshotFile(string Directory, long SequenceNr, long Ticks)
{
    public string Path => System.IO.Path.Combine(Directory, $"{SequenceNr:D19}-{Ticks:D19}{StoreLayout.SnapshotExtension}");

    /// <summary>
    /// Reads the snapshot as the snapshot store loads it (for a shipper reading the store from outside the snapshot
    /// store); a torn or unreadable file throws <see cref="CorruptLogException"/> naming it. Needs no write permission.
    /// </summary>
    public SelectedSnapshot Read(string persistenceId, PayloadSerializer serializer, MiniStoreOptions? options = null)
    {
        using var log = MiniStoreLog.Open(Path, options, readOnly: true);
        if (log.TornTail is { } torn)
            throw new CorruptLogException(Path, 1, torn.Offset, $"snapshot file is torn: {torn.Reason}");
        foreach (var record in log.Read())
            return Snapshot.SnapshotRecord.Read(record, Path, persistenceId, serializer);
        throw new CorruptLogException(Path, 1, 0, "snapshot file holds no complete record");
    }

    public static SnapshotFile? TryParse(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        if (!name.EndsWith(StoreLayout.SnapshotExtension, StringComparison.Ordinal))
            return null;
        var parts = name[..^StoreLayout.SnapshotExtension.Length].Split('-');
        return parts.Length == 2
               && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long seq)
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
            ? new SnapshotFile(System.IO.Path.GetDirectoryName(path)!, seq, ticks)
            : null;
    }
}
