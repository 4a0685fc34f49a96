using System.Text.Json;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Storage;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// Encodes persistent events as record JSON (see <see cref="EventRecord"/>) with one JSON writer, reused from event to
/// event, the field names and the timestamp's text (shared by all events of a journal write) encoded once, and the
/// persistence id and writer encoded again only when they change from one event to the next.
/// Not thread-safe: one per journal, used from the journal's thread.
/// </summary>
internal sealed class EventRecordWriter(PayloadSerializer serializer)
{
    private Utf8JsonWriter? _writer;
    private long _timestamp = -1;
    private JsonEncodedText _timestampText;
    private readonly RepeatedText _persistenceId = new(), _writerGuid = new();
    private string? _namable;

    /// <summary>
    /// Refuses a persistence id no file can hold (<see cref="PersistenceIdFileName"/>), before anything is queued; the
    /// id checked last is remembered, as calls mostly repeat it (an actor writing one event after another).
    /// </summary>
    public void RefuseUnnamable(string persistenceId)
    {
        if (ReferenceEquals(persistenceId, _namable) || persistenceId == _namable)
            return;
        PersistenceIdFileName.For(persistenceId);
        _namable = persistenceId;
    }

    /// <summary>
    /// Appends the record JSON of each event, in order, to <paramref name="buffer"/>; the events have consecutive
    /// orderings from <paramref name="firstOrdering"/>. <see cref="Tagged"/> payloads are unwrapped into "tags". When a
    /// payload fails, the records of the events before it stay in the buffer, and the failed one is unfinished.
    /// </summary>
    public void Write(IReadOnlyList<IPersistentRepresentation> events, long firstOrdering, long timestamp, JsonRecordBuffer buffer)
    {
        if (_writer is null)
            _writer = new Utf8JsonWriter(buffer);
        else
            _writer.Reset(buffer); // also after a payload that failed half-way
        if (timestamp != _timestamp)
        {
            _timestampText = JsonEncodedText.Encode(RecordTimestamp.ToText(timestamp));
            _timestamp = timestamp;
        }
        for (int i = 0; i < events.Count; i++)
        {
            WriteRecord(_writer, events[i], firstOrdering + i);
            buffer.EndRecord(_writer);
        }
    }

    private void WriteRecord(Utf8JsonWriter writer, IPersistentRepresentation persistent, long ordering)
    {
        var payload = persistent.Payload is Tagged tagged ? tagged.Payload : persistent.Payload;
        writer.WriteStartObject();
        writer.WriteString(RecordFields.Encoded.PersistenceId, _persistenceId.Of(persistent.PersistenceId));
        writer.WriteNumber(RecordFields.Encoded.SequenceNr, persistent.SequenceNr);
        writer.WriteNumber(RecordFields.Encoded.Ordering, ordering);
        writer.WriteString(RecordFields.Encoded.Timestamp, _timestampText);
        if (persistent.WriterGuid is { } writerGuid)
            writer.WriteString(RecordFields.Encoded.WriterGuid, _writerGuid.Of(writerGuid));
        else
            writer.WriteNull(RecordFields.Encoded.WriterGuid);
        writer.WriteString(RecordFields.Encoded.Manifest, persistent.Manifest);
        writer.WriteStartArray(RecordFields.Encoded.Tags);
        if (persistent.Payload is Tagged { Tags: var tags })
            foreach (var tag in tags)
                writer.WriteStringValue(tag);
        writer.WriteEndArray();
        serializer.Write(writer, payload, persistent.PersistenceId);
        writer.WriteEndObject();
    }
}

