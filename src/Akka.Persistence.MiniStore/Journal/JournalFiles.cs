namespace Akka.Persistence.MiniStore.Journal;

/// <summary>Where the journal keeps what, inside its directory (docs/FORMAT.md): one place for the journal and the read side.</summary>
internal static class JournalFiles
{
    private const string EventLogExtension = ".jsonl";
    private const string DeletionLogExtension = ".deleted.jsonl";

    /// <summary>The event log of a persistence id.</summary>
    public static string EventLog(string directory, string persistenceId) =>
        Path.Combine(directory, PersistenceIdFileName.For(persistenceId) + EventLogExtension);

    /// <summary>The deletion marks of a persistence id.</summary>
    public static string DeletionLog(string directory, string persistenceId) =>
        Path.Combine(directory, PersistenceIdFileName.For(persistenceId) + DeletionLogExtension);

    /// <summary>The event index: every stored event's ordering, persistence id, sequence number and tags, in ordering order.</summary>
    public static string EventIndex(string directory) => Path.Combine(directory, "index", "events.jsonl");

    /// <summary>Every event log in the directory (not deletion logs, not the index, not saved torn tails).</summary>
    public static IEnumerable<string> EventLogs(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*" + EventLogExtension).Where(p => !p.EndsWith(DeletionLogExtension, StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [];
}
