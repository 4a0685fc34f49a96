using System.Collections.Immutable;
using Akka.Persistence.MiniStore.Index;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// One <c>WriteMessages</c> call, encoded: each atomic write gets consecutive orderings and its events' records are
/// written into one pooled buffer; a write that cannot be stored (its payload does not serialize faithfully, a record
/// is too long or would not be one line, its persistence id cannot name a file) is set aside as a rejection; the rest
/// are grouped per persistence id, as the atomic batches of one append each. Disposing gives the buffer back, once
/// every append has copied it.
/// </summary>
internal sealed class JournalWrite : IDisposable
{
    private readonly JsonRecordBuffer _records;
    private readonly Dictionary<string, PerId> _byId = new();

    private JournalWrite(int events) => _records = new JsonRecordBuffer(events, 256);

    /// <summary>Per atomic write, why it was rejected; null when none was (Akka's convention for "all stored").</summary>
    public IImmutableList<Exception?>? Rejections { get; private set; }

    /// <summary>The orderings this call took (first > last when none): the event index resolves them together.</summary>
    public long FirstOrdering { get; private set; } = 1;
    public long LastOrdering { get; private set; }

    public IReadOnlyCollection<PerId> PersistenceIds => _byId.Values;

    public static JournalWrite Encode(IReadOnlyList<AtomicWrite> writes, EventRecordWriter encoder, EventIndex index, int maxRecordSize)
    {
        int eventCount = 0;
        foreach (var write in writes)
            eventCount += ((IImmutableList<IPersistentRepresentation>)write.Payload).Count;
        var call = new JournalWrite(eventCount);
        Exception?[]? rejections = null;
        long timestamp = DateTime.UtcNow.Ticks;
        for (int i = 0; i < writes.Count; i++)
        {
            var events = (IImmutableList<IPersistentRepresentation>)writes[i].Payload;
            int first = call._records.Count;
            try
            {
                string pid = writes[i].PersistenceId;
                encoder.RefuseUnnamable(pid);
                long firstOrdering = index.NextOrderings(events.Count);
                if (call.LastOrdering == 0)
                    call.FirstOrdering = firstOrdering;
                call.LastOrdering = firstOrdering + events.Count - 1;
                encoder.Write(events, firstOrdering, timestamp, call._records);
                RefuseUnstorable(events, call._records, first, maxRecordSize);
                if (!call._byId.TryGetValue(pid, out var perId))
                    call._byId[pid] = perId = new PerId(pid);
                perId.Add(first, events, firstOrdering, writes[i].HighestSequenceNr);
            }
            catch (Exception e) when (e is PayloadNotStorableException or ArgumentException)
            {
                call._records.Truncate(first);
                (rejections ??= new Exception?[writes.Count])[i] = e;
            }
        }
        call.Rejections = rejections?.ToImmutableList();
        var records = call._records.Records();
        foreach (var perId in call._byId.Values)
            perId.Batches = perId.Ranges.ConvertAll(r => (IReadOnlyList<ReadOnlyMemory<byte>>)new ArraySegment<ReadOnlyMemory<byte>>(records, r.Start, r.Count));
        return call;
    }

    /// <summary>
    /// The engine refuses a line longer than max-record-size, or a record with a raw line break (only a converter
    /// writing raw JSON, say pretty-printed, can produce one), failing the whole append of the persistence id. Found
    /// here, before anything is queued, such an event is rejected on its own: it could never be stored, and the other
    /// writes of the call (of this and other persistence ids) go ahead.
    /// </summary>
    private static void RefuseUnstorable(IImmutableList<IPersistentRepresentation> events, JsonRecordBuffer records, int first, int maxRecordSize)
    {
        for (int i = 0; i < events.Count; i++)
        {
            var record = records.Record(first + i);
            if (record.Length + LineFormat.MaxFramingLength > maxRecordSize)
                throw new PayloadNotStorableException(
                    $"{What(events[i])}: its record is {record.Length} bytes, more than the {maxRecordSize - LineFormat.MaxFramingLength} bytes that max-record-size = {maxRecordSize} allows.");
            if (LineFormat.RecordProblem(record, parse: false) is { } problem) // the engine's own check, as it will run it
                throw new PayloadNotStorableException(
                    $"{What(events[i])}: its record cannot be one log line: {problem} (a JSON converter writing raw, pretty-printed JSON does that).");
        }

        static string What(IPersistentRepresentation e) => $"Cannot store event {e.SequenceNr} ({e.Payload.GetType().FullName}) of persistence id '{e.PersistenceId}'";
    }

    /// <summary>The index entries of the events whose persistence id's append succeeded.</summary>
    public List<IndexEntry> StoredEntries(Func<PerId, bool> stored)
    {
        var entries = new List<IndexEntry>();
        foreach (var perId in _byId.Values)
            if (stored(perId))
                entries.AddRange(perId.IndexEntries);
        return entries;
    }

    public void Dispose() => _records.Dispose();

    /// <summary>What the call writes to one persistence id: its atomic writes as ranges of the call's records, and their index entries.</summary>
    internal sealed class PerId(string persistenceId)
    {
        public string PersistenceId { get; } = persistenceId;
        public List<(int Start, int Count)> Ranges { get; } = new();
        public List<IndexEntry> IndexEntries { get; } = new();
        public IReadOnlyList<IReadOnlyList<ReadOnlyMemory<byte>>> Batches { get; set; } = [];
        public long HighestSequenceNr { get; private set; }
        public int Events => IndexEntries.Count;

        public void Add(int first, IImmutableList<IPersistentRepresentation> events, long firstOrdering, long highestSequenceNr)
        {
            Ranges.Add((first, events.Count));
            for (int k = 0; k < events.Count; k++)
                IndexEntries.Add(new IndexEntry(firstOrdering + k, PersistenceId, events[k].SequenceNr, EventRecord.TagsOf(events[k])));
            HighestSequenceNr = Math.Max(HighestSequenceNr, highestSequenceNr);
        }

        /// <summary>The bytes of its records (for the metrics).</summary>
        public long Bytes => Batches.Sum(b => b.Sum(r => (long)r.Length));
    }
}
