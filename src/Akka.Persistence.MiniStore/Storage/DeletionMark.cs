using System.Text.Json;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Storage;

/// <summary>One line of a <c>&lt;name&gt;.deleted.jsonl</c> log: events up to <see cref="DeletedTo"/> are deleted; <see cref="HighestSequenceNr"/> was the highest stored then.</summary>
public readonly record struct DeletionMark(long DeletedTo, long HighestSequenceNr)
{
    public static DeletionMark Read(in LogRecord mark, string path, string persistenceId)
    {
        try
        {
            using var json = JsonDocument.Parse(mark.Json);
            var root = json.RootElement;
            string? pid = root.GetProperty(RecordFields.PersistenceId).GetString();
            if (pid != persistenceId)
                throw new CorruptLogException(path, mark.LineNumber, mark.Offset, $"deletion mark belongs to persistence id '{pid}', expected '{persistenceId}'");
            return new DeletionMark(root.GetProperty(RecordFields.DeletedTo).GetInt64(), root.GetProperty(RecordFields.HighestSequenceNr).GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CorruptLogException(path, mark.LineNumber, mark.Offset, $"deletion mark is not readable: {e.Message}");
        }
    }

    /// <summary>
    /// The last deletion mark in a deletion log, or null when nothing was deleted (no file, or no mark). A mark is only
    /// written above the previous one, with the highest sequence number known then, so the last holds the largest of
    /// both; it is read from the end of the file, whatever the number of marks. Opening needs no write permission.
    /// </summary>
    public static DeletionMark? ReadLast(string path, string persistenceId, MiniStoreOptions options)
    {
        if (!MiniStoreLog.Exists(path))
            return null;
        using var log = MiniStoreLog.Open(path, options, readOnly: true);
        return log.LastRecordAtOpen is { } last ? Read(last, path, persistenceId) : null;
    }

    /// <summary>Appends a mark to a deletion log (creating it), fsync'd before this returns.</summary>
    public static void Append(string path, string persistenceId, DeletionMark mark, MiniStoreOptions options)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            [RecordFields.PersistenceId] = persistenceId,
            [RecordFields.DeletedTo] = mark.DeletedTo,
            [RecordFields.HighestSequenceNr] = mark.HighestSequenceNr,
        });
        using var log = MiniStoreLog.Open(path, options);
        log.Append(json);
    }
}
