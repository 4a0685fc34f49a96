using System.Text.Json;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>Field names of journal and snapshot records (docs/FORMAT.md).</summary>
public static class RecordFields
{
    public const string PersistenceId = "pid";
    public const string SequenceNr = "seq";
    public const string Ordering = "ord";
    public const string Timestamp = "ts";
    public const string WriterGuid = "writer";
    public const string Manifest = "manifest";
    public const string Tags = "tags";
    public const string PayloadType = "payloadType";
    public const string Payload = "payload";
    public const string SerializerId = "serializerId";
    public const string SerializerManifest = "serializerManifest";
    public const string Bytes = "bytes";
    public const string DeletedTo = "deletedTo";
    public const string HighestSequenceNr = "highestSeq";

    /// <summary>The names written with every event, encoded once: a writer given a string checks and transcodes it each time.</summary>
    internal static class Encoded
    {
        public static readonly JsonEncodedText PersistenceId = JsonEncodedText.Encode(RecordFields.PersistenceId);
        public static readonly JsonEncodedText SequenceNr = JsonEncodedText.Encode(RecordFields.SequenceNr);
        public static readonly JsonEncodedText Ordering = JsonEncodedText.Encode(RecordFields.Ordering);
        public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode(RecordFields.Timestamp);
        public static readonly JsonEncodedText WriterGuid = JsonEncodedText.Encode(RecordFields.WriterGuid);
        public static readonly JsonEncodedText Manifest = JsonEncodedText.Encode(RecordFields.Manifest);
        public static readonly JsonEncodedText Tags = JsonEncodedText.Encode(RecordFields.Tags);
        public static readonly JsonEncodedText PayloadType = JsonEncodedText.Encode(RecordFields.PayloadType);
        public static readonly JsonEncodedText Payload = JsonEncodedText.Encode(RecordFields.Payload);
    }

    // The known names by their UTF-8 length, so that a property name is compared only with those of its length.
    private static readonly (byte[] Utf8, string Name)[]?[] KnownByLength =
        ByLength(PersistenceId, SequenceNr, Ordering, Timestamp, WriterGuid, Manifest, Tags, PayloadType, Payload, SerializerId, SerializerManifest, Bytes, DeletedTo, HighestSequenceNr);

    private static (byte[] Utf8, string Name)[]?[] ByLength(params string[] names)
    {
        var table = new (byte[] Utf8, string Name)[]?[names.Max(name => name.Length) + 1];
        foreach (var name in names)
            table[name.Length] = [.. table[name.Length] ?? [], (System.Text.Encoding.UTF8.GetBytes(name), name)];
        return table;
    }

    /// <summary>
    /// The "tags" value the reader is on: an array of strings (an empty one allocates nothing), else a
    /// <see cref="JsonException"/> for the caller to report with the file and line; never a partial read that leaves
    /// the fields after it unread.
    /// </summary>
    internal static IReadOnlyList<string> ReadTags(ref Utf8JsonReader reader)
    {
        List<string>? tags = null;
        if (reader.TokenType == JsonTokenType.StartArray)
            while (reader.Read() && reader.TokenType == JsonTokenType.String)
                (tags ??= new List<string>()).Add(reader.GetString()!);
        if (reader.TokenType != JsonTokenType.EndArray)
            throw new JsonException($"expected \"{Tags}\" to be an array of strings, found {reader.TokenType}");
        return (IReadOnlyList<string>?)tags ?? [];
    }

    /// <summary>The name of the property the reader is on: one of the constants above without allocating, else a new string.</summary>
    internal static string NameOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.Length < KnownByLength.Length && KnownByLength[reader.ValueSpan.Length] is { } candidates)
            foreach (var (utf8, name) in candidates)
                if (reader.ValueSpan.SequenceEqual(utf8))
                    return name;
        return reader.GetString()!;
    }
}
