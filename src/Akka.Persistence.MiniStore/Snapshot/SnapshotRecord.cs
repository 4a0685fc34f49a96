using System.Buffers;
using System.Text.Json;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Snapshot;

/// <summary>
/// A snapshot as stored: the single record of a snapshot file, <c>{"pid","seq","ts", payload fields}</c>.
/// <see cref="Write"/> and <see cref="Read"/> are mirror images; docs/FORMAT.md is the specification.
/// </summary>
internal static class SnapshotRecord
{
    public static byte[] Write(SnapshotMetadata metadata, object snapshot, PayloadSerializer serializer)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(RecordFields.PersistenceId, metadata.PersistenceId);
            writer.WriteNumber(RecordFields.SequenceNr, metadata.SequenceNr);
            writer.WriteString(RecordFields.Timestamp, RecordTimestamp.ToText(metadata.Timestamp.ToUniversalTime().Ticks));
            serializer.Write(writer, snapshot, metadata.PersistenceId);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static SelectedSnapshot Read(in LogRecord record, string path, string persistenceId, PayloadSerializer serializer)
    {
        var json = record.Json;
        var reader = new Utf8JsonReader(json.Span);
        string? pid = null;
        long? seq = null, timestamp = null;
        var payload = new PayloadFields();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException("expected a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string property = reader.GetString()!;
                reader.Read();
                switch (property)
                {
                    case RecordFields.PersistenceId: pid = reader.GetString(); break;
                    case RecordFields.SequenceNr: seq = reader.GetInt64(); break;
                    case RecordFields.Timestamp: timestamp = RecordTimestamp.Parse(reader.GetString()!); break;
                    default:
                        if (!payload.TryRead(ref reader, json, property))
                            reader.Skip();
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CorruptLogException(path, record.LineNumber, record.Offset, $"snapshot record is not readable: {e.Message}");
        }
        if (pid != persistenceId || seq is null || timestamp is null)
            throw new CorruptLogException(path, record.LineNumber, record.Offset, $"snapshot record must hold \"pid\" = '{persistenceId}', \"seq\" and \"ts\"");
        var metadata = new SnapshotMetadata(pid, seq.Value, new DateTime(timestamp.Value, DateTimeKind.Utc));
        return new SelectedSnapshot(metadata, serializer.Read(payload, $"Snapshot '{path}' (persistence id '{pid}', sequence number {seq})"));
    }
}
