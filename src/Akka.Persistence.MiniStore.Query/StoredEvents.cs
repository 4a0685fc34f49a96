using System.Text.Json;
using Akka.Actor;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using Akka.Persistence.Query;
using MiniStore;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>
/// What every query of one read journal shares: where the journal's files are, how stored events become
/// <see cref="EventEnvelope"/>s (payload serializer, then the write plugin's event adapters), and the journal's
/// <see cref="IndexSignal"/> when the journal runs in this actor system.
/// </summary>
internal sealed class StoredEvents
{
    private readonly PayloadSerializer _serializer;
    private readonly EventAdapters? _adapters;

    public StoredEvents(ExtendedActorSystem system, string directory, MiniStoreOptions logOptions, EventAdapters? adapters, bool journalInThisSystem)
    {
        Directory = directory;
        Layout = new StoreLayout(directory);
        LogOptions = logOptions;
        _serializer = new PayloadSerializer(system);
        _adapters = adapters;
        Signal = IndexSignals.Get(system).For(directory);
        IndexReady = journalInThisSystem ? Signal.Ready : Task.CompletedTask;
    }

    public string Directory { get; }
    public StoreLayout Layout { get; }
    public MiniStoreOptions LogOptions { get; }
    public IndexSignal Signal { get; }

    /// <summary>Completes once the journal of this system has caught its index up with the logs (at once when the journal runs elsewhere).</summary>
    public Task IndexReady { get; }

    public string IndexPath => Layout.EventIndex;

    /// <summary>A cursor in a persistence id's log, keyed by sequence number.</summary>
    public LogCursor EventLog(string persistenceId)
    {
        string path = Layout.EventLog(persistenceId);
        return new LogCursor(path, LogOptions, line => EventRecord.PeekSequenceNr(line.Json.Span, persistenceId) ?? Read(line, path, persistenceId).SequenceNr, "sequence number");
    }

    /// <summary>A cursor in the event index, keyed by ordering.</summary>
    public LogCursor Index() => new(IndexPath, LogOptions, line => PeekOrdering(line.Json.Span) ?? IndexEntry.Read(line, IndexPath).Ordering, "ordering");

    /// <summary>The ordering of an index entry from its first field (where the journal writes it), without allocating; null when it is not there (then the entry is read whole, which says what is wrong).</summary>
    private static long? PeekOrdering(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                   && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(RecordFields.Ordering)
                   && reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long ordering)
                ? ordering
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public long DeletedTo(string persistenceId) =>
        DeletionMark.ReadLast(Layout.DeletionLog(persistenceId), persistenceId, LogOptions)?.DeletedTo ?? 0;

    /// <summary>Reads an event record of <paramref name="persistenceId"/>'s log, checking it belongs there.</summary>
    public EventRecord Read(in LogRecord line, string path, string persistenceId)
    {
        var record = EventRecord.Read(line, path);
        if (record.PersistenceId != persistenceId)
            throw new CorruptLogException(path, line.LineNumber, line.Offset, $"record belongs to persistence id '{record.PersistenceId}', expected '{persistenceId}'");
        return record;
    }

    /// <summary>A failure to read a persistence id's log, naming the id when the damage it reports does not.</summary>
    public static Exception NamingId(Exception e, string persistenceId) =>
        e is CorruptLogException damage && !damage.Problem.Contains($"persistence id '{persistenceId}'", StringComparison.Ordinal)
            ? new CorruptLogException(damage.LogPath, damage.LineNumber, damage.Offset, $"{damage.Problem} (in the log of persistence id '{persistenceId}')", damage)
            : e;

    /// <summary>The envelopes of a stored event: one, or as many (possibly none) as its event adapter makes of it.</summary>
    public void AddEnvelopes(in EventRecord record, Offset offset, in LogRecord line, string path, List<EventEnvelope> envelopes)
    {
        var payload = record.ToPersistent(_serializer, path, line).Payload; // names the record only when its payload cannot be read
        var tags = record.Tags.ToArray();
        if (_adapters is null)
        {
            envelopes.Add(new EventEnvelope(offset, record.PersistenceId, record.SequenceNr, payload, record.Timestamp, tags));
            return;
        }
        foreach (var adapted in _adapters.Get(payload.GetType()).FromJournal(payload, record.Manifest).Events)
            envelopes.Add(new EventEnvelope(offset, record.PersistenceId, record.SequenceNr, adapted, record.Timestamp, tags));
    }
}
