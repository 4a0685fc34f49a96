using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Util;
using AkkaSerializer = Akka.Serialization.Serializer;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>
/// Writes an event or snapshot payload into a record and reads it back. A type with no Akka serializer binding of its
/// own is stored as inline JSON (System.Text.Json) so that jq can read it, provided its JSON round-trips; a type the
/// user bound in <c>akka.actor.serialization-bindings</c> is stored with that serializer as id, manifest and base64 bytes.
/// </summary>
public sealed class PayloadSerializer
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.General) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    private readonly ExtendedActorSystem _system;
    private readonly Akka.Serialization.Serialization _akka;
    private readonly AkkaSerializer _defaultSerializer;
    private readonly JsonRoundTripCheck _roundTrip = new(JsonOptions);
    private readonly ConcurrentDictionary<Type, PayloadWriter> _writers = new();
    private volatile PayloadWriter? _lastWriter;
    private readonly ConcurrentDictionary<string, JsonTypeInfo?> _typeInfos = new();
    private volatile PayloadType? _lastPayloadType;

    public PayloadSerializer(ActorSystem system)
    {
        _system = (ExtendedActorSystem)system;
        _akka = system.Serialization;
        _defaultSerializer = _akka.FindSerializerForType(typeof(object));
    }

    /// <summary>Writes the payload fields of a record. Throws <see cref="PayloadNotStorableException"/> when the payload cannot be stored faithfully.</summary>
    internal void Write(Utf8JsonWriter writer, object payload, string persistenceId)
    {
        var type = payload.GetType();
        var how = _lastWriter is { } last && last.Type == type ? last : _lastWriter = WriterFor(type);
        var serializer = how.Serializer;
        if (serializer is null)
        {
            string? problem;
            try
            {
                problem = _roundTrip.ProblemWith(payload);
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
            {
                problem = $"System.Text.Json cannot describe it: {e.Message}";
            }
            if (problem is not null)
                throw new PayloadNotStorableException(
                    $"Cannot store {type.FullName} for persistence id '{persistenceId}' as JSON: {problem}. " +
                    "Give it a constructor parameter or a public/init setter for that member, or bind an Akka serializer to the type in akka.actor.serialization-bindings.");
            writer.WriteString(RecordFields.Encoded.PayloadType, how.TypeName);
            writer.WritePropertyName(RecordFields.Encoded.Payload);
            JsonSerializer.Serialize(writer, payload, how.TypeInfo ??= JsonOptions.GetTypeInfo(type)); // asked for only once the type is known to round-trip
            return;
        }

        byte[] bytes;
        try
        {
            // With transport information set, as Akka does, so that serializers can write actor refs (SerializedActorPath).
            bytes = Akka.Serialization.Serialization.WithTransport(_system, (serializer, payload), s => s.serializer.ToBinary(s.payload));
        }
        catch (Exception e)
        {
            throw new PayloadNotStorableException($"Serializer {serializer.GetType().Name} (id {serializer.Identifier}) failed on {type.FullName} for persistence id '{persistenceId}': {e.Message}", e);
        }
        writer.WriteNumber(RecordFields.SerializerId, serializer.Identifier);
        writer.WriteString(RecordFields.SerializerManifest, Akka.Serialization.Serialization.ManifestFor(serializer, payload));
        writer.WriteBase64String(RecordFields.Bytes, bytes);
    }

    /// <summary>Reads a payload back; <paramref name="where"/> describes the record for error messages.</summary>
    public object Read(in PayloadFields fields, string where)
    {
        try
        {
            return Read(fields);
        }
        catch (PayloadNotReadableException e)
        {
            throw e.At(where);
        }
    }

    /// <summary>Reads a payload back; a <see cref="PayloadNotReadableException"/> says what is wrong but not where (see <see cref="PayloadNotReadableException.At"/>).</summary>
    public object Read(in PayloadFields fields)
    {
        if (fields.SerializerId is { } id)
        {
            if (fields.Bytes is null)
                throw new PayloadNotReadableException("has \"serializerId\" but no \"bytes\"");
            try
            {
                return _akka.Deserialize(fields.Bytes, id, fields.SerializerManifest ?? "");
            }
            catch (Exception e)
            {
                throw new PayloadNotReadableException($"Akka serializer {id} (manifest '{fields.SerializerManifest}') could not read the payload: {e.Message}", e);
            }
        }

        if (fields.PayloadType is null || fields.PayloadJson.IsEmpty)
            throw new PayloadNotReadableException("expected \"payloadType\" and \"payload\", or \"serializerId\" and \"bytes\"");
        JsonTypeInfo? typeInfo;
        try
        {
            typeInfo = TypeInfoFor(fields.PayloadType);
        }
        catch (Exception e) // an assembly that fails to load, a type System.Text.Json cannot describe
        {
            throw new PayloadNotReadableException($"payload type '{fields.PayloadType}' cannot be read as JSON: {e.Message}", e);
        }
        if (typeInfo is null)
            throw new PayloadNotReadableException($"payload type '{fields.PayloadType}' cannot be found; is its assembly loaded?");
        try
        {
            return JsonSerializer.Deserialize(fields.PayloadJson.Span, typeInfo)
                ?? throw new JsonException("payload is null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new PayloadNotReadableException($"payload is not a valid {typeInfo.Type.FullName}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The JSON contract of a stored payload type name, null when no loaded type has that name. The last one is kept
    /// aside: a log's records mostly repeat the previous payload type, read as the same string (see <see cref="RepeatedString"/>).
    /// </summary>
    private JsonTypeInfo? TypeInfoFor(string payloadType)
    {
        if (_lastPayloadType is { } last && ReferenceEquals(last.Name, payloadType))
            return last.TypeInfo;
        var typeInfo = _typeInfos.GetOrAdd(payloadType, name => Type.GetType(name, throwOnError: false) is { } type ? JsonOptions.GetTypeInfo(type) : null);
        _lastPayloadType = new PayloadType(payloadType, typeInfo);
        return typeInfo;
    }

    private sealed record PayloadType(string Name, JsonTypeInfo? TypeInfo);

    /// <summary>
    /// How payloads of a type are written, worked out once per type. The last one is kept aside: a journal write's
    /// events are mostly of one type.
    /// </summary>
    private PayloadWriter WriterFor(Type type) => _writers.GetOrAdd(type, static (t, self) => new PayloadWriter(t, self.BoundSerializer(t)), this);

    private AkkaSerializer? BoundSerializer(Type type)
    {
        AkkaSerializer found;
        try
        {
            found = _akka.FindSerializerForType(type);
        }
        catch (Exception) // allow-unregistered-types = false and no binding: store as JSON
        {
            return null;
        }
        return ReferenceEquals(found, _defaultSerializer) ? null : found;
    }

    /// <summary>The Akka serializer bound to a payload type, or (when there is none) its stored name and JSON contract.</summary>
    private sealed class PayloadWriter(Type type, AkkaSerializer? serializer)
    {
        public Type Type { get; } = type;
        public AkkaSerializer? Serializer { get; } = serializer;
        public JsonEncodedText TypeName { get; } = JsonEncodedText.Encode(type.TypeQualifiedName());
        public JsonTypeInfo? TypeInfo { get; set; }
    }
}

/// <summary>The payload fields of a stored record, as found by a record reader.</summary>
public struct PayloadFields
{
    public string? PayloadType;
    public ReadOnlyMemory<byte> PayloadJson;
    public int? SerializerId;
    public string? SerializerManifest;
    public byte[]? Bytes;

    /// <summary>
    /// Reads the value of <paramref name="property"/> if it is a payload field; false for other properties.
    /// <paramref name="payloadType"/>, when given, returns the previous record's payload type string when it repeats.
    /// </summary>
    internal bool TryRead(ref Utf8JsonReader reader, ReadOnlyMemory<byte> record, string property, RepeatedString? payloadType = null)
    {
        switch (property)
        {
            case RecordFields.PayloadType:
                PayloadType = payloadType is null ? reader.GetString() : payloadType.Read(ref reader);
                return true;
            case RecordFields.Payload:
                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                PayloadJson = record[start..(int)reader.BytesConsumed];
                return true;
            case RecordFields.SerializerId:
                SerializerId = reader.GetInt32();
                return true;
            case RecordFields.SerializerManifest:
                SerializerManifest = reader.GetString();
                return true;
            case RecordFields.Bytes:
                Bytes = reader.GetBytesFromBase64();
                return true;
            default:
                return false;
        }
    }
}

/// <summary>A payload cannot be stored so that it replays as written; the write is rejected and nothing is stored.</summary>
public sealed class PayloadNotStorableException : Exception
{
    public PayloadNotStorableException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A stored payload cannot be turned back into an object.</summary>
public sealed class PayloadNotReadableException : Exception
{
    public PayloadNotReadableException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>The same problem, with the record it was found in named first.</summary>
    internal PayloadNotReadableException At(string where) => new($"{where}: {Message}", InnerException);
}
