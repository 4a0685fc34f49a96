using System.Buffers;
using System.Text.Json;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Storage;

/// <summary>
/// One line of the event index: <c>{"ord":17,"pid":"counter-1","seq":4,"tags":["counter"]}</c> ("tags" left out when
/// there are none). It says where the event with journal-wide position <see cref="Ordering"/> is stored.
/// </summary>
public readonly record struct IndexEntry(long Ordering, string PersistenceId, long SequenceNr, IReadOnlyList<string> Tags)
{
    public bool HasTag(string tag)
    {
        foreach (var t in Tags)
            if (t == tag) return true;
        return false;
    }

    /// <summary>The JSON of each entry, written with one writer into one pooled buffer (the index appends thousands at a time); the caller disposes it.</summary>
    internal static JsonRecordBuffer ToJson(IReadOnlyList<IndexEntry> entries)
    {
        var buffer = new JsonRecordBuffer(entries.Count, 64);
        var persistenceId = new RepeatedText();
        using (var writer = new Utf8JsonWriter(buffer))
            for (int i = 0; i < entries.Count; i++)
            {
                entries[i].WriteTo(writer, persistenceId);
                buffer.EndRecord(writer);
            }
        return buffer;
    }

    private void WriteTo(Utf8JsonWriter writer, RepeatedText persistenceId)
    {
        writer.WriteStartObject();
        writer.WriteNumber(RecordFields.Encoded.Ordering, Ordering);
        writer.WriteString(RecordFields.Encoded.PersistenceId, persistenceId.Of(PersistenceId));
        writer.WriteNumber(RecordFields.Encoded.SequenceNr, SequenceNr);
        if (Tags.Count > 0)
        {
            writer.WriteStartArray(RecordFields.Encoded.Tags);
            foreach (var tag in Tags)
                writer.WriteStringValue(tag);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    public static IndexEntry Read(in LogRecord line, string path)
    {
        var reader = new Utf8JsonReader(line.Json.Span);
        long? ordering = null, seq = null;
        string? pid = null;
        IReadOnlyList<string>? tags = null;
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string property = reader.GetString()!;
                reader.Read();
                switch (property)
                {
                    case RecordFields.Ordering: ordering = reader.GetInt64(); break;
                    case RecordFields.PersistenceId: pid = reader.GetString(); break;
                    case RecordFields.SequenceNr: seq = reader.GetInt64(); break;
                    case RecordFields.Tags: tags = RecordFields.ReadTags(ref reader); break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new CorruptLogException(path, line.LineNumber, line.Offset, $"index entry is not readable: {e.Message}");
        }
        if (ordering is null || pid is null || seq is null)
            throw new CorruptLogException(path, line.LineNumber, line.Offset, "index entry lacks \"ord\", \"pid\" or \"seq\"");
        return new IndexEntry(ordering.Value, pid, seq.Value, tags ?? []);
    }

    /// <summary>The highest sequence number of <paramref name="persistenceId"/> an event index lists (0 when none, or no index): the whole index is read.</summary>
    public static long HighestSequenceNr(string indexPath, string persistenceId, MiniStoreOptions options)
    {
        if (!MiniStoreLog.Exists(indexPath))
            return 0;
        using var index = MiniStoreLog.Open(indexPath, options, readOnly: true);
        long highest = 0;
        foreach (var line in index.Read())
            if (Read(line, indexPath) is { } entry && entry.PersistenceId == persistenceId)
                highest = Math.Max(highest, entry.SequenceNr);
        return highest;
    }
}
