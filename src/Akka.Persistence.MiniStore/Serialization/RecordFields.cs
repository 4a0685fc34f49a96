namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>Field names of journal and snapshot records (docs/FORMAT.md).</summary>
internal static class RecordFields
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
}
