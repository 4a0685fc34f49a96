using MiniStore;

namespace Akka.Persistence.MiniStore.Storage;

/// <summary>
/// The rule every reader of a persistence id's event log applies, in one place: each record belongs to the id, and
/// sequence numbers increase through the log (gaps are allowed: a rejected event leaves one). A record that breaks it
/// throws <see cref="CorruptLogException"/> naming the file, the line and what was expected. The journal's replay, the
/// read journal, the shipper and <c>ministore verify</c> read logs through it. One per reading of a log.
/// </summary>
public sealed class EventLogCheck(string path, string persistenceId)
{
    private readonly EventRecordStrings _strings = new(persistenceId);

    public string Path { get; } = path;
    public string PersistenceId { get; } = persistenceId;

    /// <summary>The sequence number of the last record checked (0 before the first).</summary>
    public long PreviousSequenceNr { get; private set; }

    /// <summary>Parses the next record whole and checks it.</summary>
    public EventRecord Read(in LogRecord line)
    {
        var record = EventRecord.Read(line, Path, _strings);
        if (record.PersistenceId != PersistenceId)
            throw new CorruptLogException(Path, line.LineNumber, line.Offset, $"record belongs to persistence id '{record.PersistenceId}', expected '{PersistenceId}'");
        Follow(line, record.SequenceNr);
        return record;
    }

    /// <summary>Checks the next record by its leading fields only (for records a reader passes over) and returns its sequence number.</summary>
    public long Skip(in LogRecord line)
    {
        if (EventRecord.PeekSequenceNr(line.Json.Span, PersistenceId) is not { } sequenceNr)
            return Read(line).SequenceNr; // reads it whole, which says what is wrong
        Follow(line, sequenceNr);
        return sequenceNr;
    }

    /// <summary>The sequence number of a record of this id without checking its place (for a binary search).</summary>
    public long SequenceNrOf(LogRecord line) =>
        EventRecord.PeekSequenceNr(line.Json.Span, PersistenceId) ?? new EventLogCheck(Path, PersistenceId).Read(line).SequenceNr;

    private void Follow(in LogRecord line, long sequenceNr)
    {
        if (sequenceNr <= PreviousSequenceNr)
            throw new CorruptLogException(Path, line.LineNumber, line.Offset, $"sequence number {sequenceNr} of persistence id '{PersistenceId}' does not follow {PreviousSequenceNr}");
        PreviousSequenceNr = sequenceNr;
    }
}

/// <summary>
/// A persistence id's log holds fewer events than the store recorded as stored: the file was overwritten (with zeros,
/// say), cut short, or replaced. Recovery stops with this rather than repair the log down to what is left, so that no
/// acknowledged event is silently dropped and no sequence number is handed out twice.
/// </summary>
public sealed class LostEventsException(string persistenceId, string logPath, long found, long expected, string evidence)
    : IOException($"Persistence id '{persistenceId}': its log '{logPath}' holds events only up to sequence number {found}, but {evidence} records " +
                  $"events up to {expected} as stored. Acknowledged events are missing from the log (it was overwritten, cut short or replaced); " +
                  "nothing was cut or repaired, and the actor does not recover, so that no sequence number is used twice. Restore the log from a " +
                  "backup (docs/OPERATIONS.md, 'Lost events'); `ministore verify` reports the same.")
{
    public string PersistenceId { get; } = persistenceId;
    public string LogPath { get; } = logPath;
    public long Found { get; } = found;
    public long Expected { get; } = expected;

    /// <summary>
    /// The rule, in one place for the journal and <c>ministore verify</c>: events the store recorded as stored must be
    /// in the log. Those after the deletion mark up to the highest it recorded, always; and when the log is missing,
    /// empty or ends torn (<paramref name="suspect"/>: what a lost or overwritten file looks like), also those up to the
    /// snapshot being recovered from and those the event index lists (read only then: the whole index is scanned).
    /// <paramref name="logged"/> is the last sequence number in the log's intact part.
    /// </summary>
    public static void ThrowIfLost(string persistenceId, string logPath, long logged, bool suspect, DeletionMark? mark, long snapshotSequenceNr, Func<long> indexedHighest)
    {
        long deletedTo = mark?.DeletedTo ?? 0;
        (long expected, string evidence) = (mark?.HighestSequenceNr ?? 0, $"its deletion log '{StoreLayout.DeletionLogOf(logPath)}'");
        if (suspect && snapshotSequenceNr > expected)
            (expected, evidence) = (snapshotSequenceNr, $"the snapshot it recovers from (sequence number {snapshotSequenceNr})");
        if (suspect && indexedHighest() is var indexed && indexed > expected)
            (expected, evidence) = (indexed, "the event index");
        if (expected > deletedTo && logged < expected)
            throw new LostEventsException(persistenceId, logPath, logged, expected, evidence);
    }
}
