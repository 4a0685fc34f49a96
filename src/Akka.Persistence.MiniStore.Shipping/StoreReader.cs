using Akka.Actor;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// Reads the store as a shipper needs it, through the public storage contract only, every file opened read-only and
/// closed again (the journal may append, compact or rebuild the index meanwhile; a handle sees the file as it was at
/// its open): index entries after an ordering, found by a binary search on the orderings, and events of one
/// persistence id in a range of sequence numbers, found by a binary search on the sequence numbers.
/// </summary>
internal sealed class StoreReader(StoreLayout layout, MiniStoreOptions options, PayloadSerializer serializer)
{
    public StoreLayout Layout { get; } = layout;
    public MiniStoreOptions Options { get; } = options;

    /// <summary>The entries of the event index after <paramref name="afterOrdering"/>, in ordering order, at most <paramref name="max"/>.</summary>
    public List<IndexEntry> IndexAfter(long afterOrdering, int max)
    {
        var entries = new List<IndexEntry>();
        string path = Layout.EventIndex;
        if (!MiniStoreLog.Exists(path))
            return entries;
        using var index = MiniStoreLog.Open(path, Options, readOnly: true);
        long start = afterOrdering == 0 ? 0 : index.Seek(line => IndexEntry.Read(line, path).Ordering, afterOrdering + 1);
        foreach (var line in index.Read(start, start == 0 ? 1 : 0))
        {
            var entry = IndexEntry.Read(line, path);
            if (entry.Ordering <= afterOrdering)
                continue;
            entries.Add(entry);
            if (entries.Count >= max)
                break;
        }
        return entries;
    }

    /// <summary>The length of the event index now (0 without one): a cheap look for anything new when polling.</summary>
    public long IndexLength() => File.Exists(Layout.EventIndex) ? new FileInfo(Layout.EventIndex).Length : 0;

    /// <summary>
    /// Visits the stored events of <paramref name="persistenceId"/> numbered <paramref name="fromSequenceNr"/> to
    /// <paramref name="toSequenceNr"/>, in order, each with its line's length; the log's sequence rule is checked
    /// (<see cref="EventLogCheck"/>). A missing log visits nothing. Where the previous read of the id stopped is
    /// remembered, so that reading on from there needs no search (see <see cref="StartOf"/>).
    /// </summary>
    public void ReadEvents(string persistenceId, long fromSequenceNr, long toSequenceNr, Action<EventRecord, LogRecord, string> visit)
    {
        string path = Layout.EventLog(persistenceId);
        if (!MiniStoreLog.Exists(path))
            return;
        using var log = MiniStoreLog.Open(path, Options, readOnly: true);
        var check = new EventLogCheck(path, persistenceId);
        long start = StartOf(log, check, persistenceId, fromSequenceNr);
        foreach (var line in log.Read(start, start == 0 ? 1 : 0))
        {
            var record = check.Read(line);
            if (record.SequenceNr > toSequenceNr)
                break;
            _lastRead[persistenceId] = (line.Offset, record.SequenceNr);
            if (record.SequenceNr >= fromSequenceNr)
                visit(record, line, path);
        }
    }

    // Per id, the offset and sequence number of the last record read: the next read usually starts right after it.
    private readonly Dictionary<string, (long Offset, long SequenceNr)> _lastRead = new(StringComparer.Ordinal);

    /// <summary>
    /// Where to start reading for <paramref name="fromSequenceNr"/>: the last record read, when the log still holds it
    /// there and it precedes the wanted one (a compaction replaces the file, and then the record at that offset is
    /// another or none), else the batch found by a binary search on the sequence numbers.
    /// </summary>
    private long StartOf(MiniStoreLog log, EventLogCheck check, string persistenceId, long fromSequenceNr)
    {
        if (_lastRead.TryGetValue(persistenceId, out var last) && last.SequenceNr < fromSequenceNr && last.Offset < log.Length)
        {
            try
            {
                foreach (var line in log.Read(last.Offset, 0))
                {
                    if (EventRecord.PeekSequenceNr(line.Json.Span, persistenceId) == last.SequenceNr)
                        return last.Offset;
                    break;
                }
            }
            catch (CorruptLogException)
            {
                // not a line start in this file: it was replaced
            }
        }
        _lastRead.Remove(persistenceId);
        return log.Seek(line => check.SequenceNrOf(line), fromSequenceNr);
    }

    /// <summary>The event as the target journal is given it: payload (wrapped in <see cref="Tagged"/> when it has tags), manifest, writer id and original timestamp.</summary>
    public IPersistentRepresentation ToPersistent(in EventRecord record, in LogRecord line, string path)
    {
        var stored = record.ToPersistent(serializer, path, line);
        object payload = record.Tags.Count == 0 ? stored.Payload : new Tagged(stored.Payload, record.Tags);
        return new Persistent(payload, stored.SequenceNr, stored.PersistenceId, stored.Manifest, false, ActorRefs.NoSender, stored.WriterGuid, stored.Timestamp);
    }

    /// <summary>Deleted up to (the last deletion mark), 0 when nothing was deleted.</summary>
    public long DeletedTo(string persistenceId) =>
        DeletionMark.ReadLast(Layout.DeletionLog(persistenceId), persistenceId, Options)?.DeletedTo ?? 0;

    /// <summary>Bytes of the log after the events up to <paramref name="shippedSequenceNr"/> (0 without a log).</summary>
    public long BytesAfter(string persistenceId, long shippedSequenceNr)
    {
        string path = Layout.EventLog(persistenceId);
        if (!MiniStoreLog.Exists(path))
            return 0;
        using var log = MiniStoreLog.Open(path, Options, readOnly: true);
        var check = new EventLogCheck(path, persistenceId);
        return log.Length - log.Seek(line => check.SequenceNrOf(line), shippedSequenceNr + 1);
    }

    /// <summary>When the event was stored (UTC ticks), or null when it is not in its log.</summary>
    public long? TimestampOf(string persistenceId, long sequenceNr)
    {
        long? timestamp = null;
        ReadEvents(persistenceId, sequenceNr, sequenceNr, (record, _, _) => timestamp = record.Timestamp);
        return timestamp;
    }

    /// <summary>The snapshot files of the id newer than <paramref name="afterSequenceNr"/> and not above <paramref name="upToSequenceNr"/>, oldest first.</summary>
    public IReadOnlyList<SnapshotFile> SnapshotsBetween(string persistenceId, long afterSequenceNr, long upToSequenceNr) =>
        Layout.SnapshotDirectory is null
            ? []
            : StoreLayout.SnapshotFiles(Layout.SnapshotsOf(persistenceId))
                .Where(f => f.SequenceNr > afterSequenceNr && f.SequenceNr <= upToSequenceNr)
                .OrderBy(f => f.SequenceNr).ThenBy(f => f.Ticks).ToList();

    public SelectedSnapshot ReadSnapshot(SnapshotFile file, string persistenceId) => file.Read(persistenceId, serializer, Options);
}
