using System.Buffers;
using System.Text.Json;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Storage;

/// <summary>
/// One event as stored in a journal log: <c>{"pid","seq","ord","ts","writer","manifest","tags", payload fields}</c>.
/// <see cref="Ordering"/> is the journal-wide position of the event. The journal's EventRecordWriter and
/// <see cref="Read"/> are mirror images; docs/FORMAT.md is the specification.
/// </summary>
public readonly record struct EventRecord(string PersistenceId, long SequenceNr, long Timestamp, string WriterGuid, string Manifest, IReadOnlyCollection<string> Tags, PayloadFields Payload, long Ordering)
{
    /// <summary>The tags of an event being written (from Akka's <see cref="Tagged"/> wrapper, as an event adapter or the actor gave it).</summary>
    public static IReadOnlyList<string> TagsOf(IPersistentRepresentation persistent) =>
        persistent.Payload is Tagged tagged ? tagged.Tags.ToArray() : [];

    /// <summary>
    /// Parses a stored event; the payload stays as fields until <c>ToPersistent</c>. <paramref name="strings"/>, when
    /// given, reuses the previous record's strings (persistence id, writer, manifest, payload type) where they repeat.
    /// </summary>
    public static EventRecord Read(in LogRecord record, string path, EventRecordStrings? strings = null)
    {
        var json = record.Json;
        var reader = new Utf8JsonReader(json.Span);
        string? pid = null, writer = null, manifest = null;
        long? seq = null;
        long timestamp = 0, ordering = 0;
        IReadOnlyList<string>? tags = null;
        var payload = new PayloadFields();
        try
        {
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string property = RecordFields.NameOf(ref reader);
                reader.Read();
                switch (property)
                {
                    case RecordFields.PersistenceId: pid = strings is null ? reader.GetString() : strings.PersistenceId.Read(ref reader); break;
                    case RecordFields.SequenceNr: seq = reader.GetInt64(); break;
                    case RecordFields.Ordering: ordering = reader.GetInt64(); break;
                    case RecordFields.Timestamp: timestamp = RecordTimestamp.Read(ref reader); break;
                    case RecordFields.WriterGuid: writer = strings is null ? reader.GetString() : strings.WriterGuid.Read(ref reader); break;
                    case RecordFields.Manifest: manifest = strings is null ? reader.GetString() : strings.Manifest.Read(ref reader); break;
                    case RecordFields.Tags: tags = RecordFields.ReadTags(ref reader); break;
                    default:
                        if (!payload.TryRead(ref reader, json, property, strings?.PayloadType))
                            reader.Skip(); // a field from a newer version: ignored, as the format allows
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CorruptLogException(path, record.LineNumber, record.Offset, $"event record is not readable: {e.Message}");
        }
        if (pid is null || seq is null)
            throw new CorruptLogException(path, record.LineNumber, record.Offset, $"event record lacks \"{(pid is null ? RecordFields.PersistenceId : RecordFields.SequenceNr)}\"");
        return new EventRecord(pid, seq.Value, timestamp, writer ?? "", manifest ?? "", tags ?? [], payload, ordering);
    }

    /// <summary>
    /// The sequence number of a record of <paramref name="persistenceId"/>, read from its leading fields without
    /// allocating, for records that replay skips; null when the record does not plainly match (the caller then reads
    /// it with <see cref="Read"/>, which explains what is wrong).
    /// </summary>
    public static long? PeekSequenceNr(ReadOnlySpan<byte> json, string persistenceId)
    {
        var reader = new Utf8JsonReader(json);
        bool pidMatches = false;
        long? seq = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isPid = reader.ValueTextEquals(RecordFields.PersistenceId), isSeq = reader.ValueTextEquals(RecordFields.SequenceNr);
                reader.Read();
                if (isPid && !(pidMatches = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(persistenceId)))
                    return null;
                if (isSeq)
                    seq = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long n) ? n : null;
                if (pidMatches && seq is not null)
                    return seq;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    /// <summary>The event as Akka replays it, read from <paramref name="line"/> of <paramref name="path"/>; the description for an error message is built only when one is needed.</summary>
    public Persistent ToPersistent(PayloadSerializer serializer, string path, in LogRecord line)
    {
        object payload;
        try
        {
            payload = serializer.Read(Payload);
        }
        catch (PayloadNotReadableException e)
        {
            throw e.At($"Log '{path}' {(line.LineNumber > 0 ? $"line {line.LineNumber}" : $"byte offset {line.Offset}")} (persistence id '{PersistenceId}', sequence number {SequenceNr})");
        }
        return new(payload, SequenceNr, PersistenceId, Manifest, isDeleted: false, Akka.Actor.ActorRefs.NoSender, WriterGuid, Timestamp);
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition) throw new JsonException($"expected {what}");
    }
}

/// <summary>The strings of the previous record read from a log, for <see cref="EventRecord.Read"/> to return again where the next record repeats them. One per reading of a log.</summary>
public sealed class EventRecordStrings(string persistenceId)
{
    internal RepeatedString PersistenceId { get; } = new(persistenceId);
    internal RepeatedString WriterGuid { get; } = new();
    internal RepeatedString Manifest { get; } = new("");
    internal RepeatedString PayloadType { get; } = new();
}
