using System.Text.Json;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;

namespace MiniStore.Cli.Store;

/// <summary>
/// One snapshot file, checked: the snapshot store writes a snapshot as one record to a temporary file, fsyncs it and
/// renames it into place, so a file holds exactly one intact record of its id at the sequence number its name says.
/// Anything else (empty, torn, several records, another id) no crash leaves: it is damage. The payload is not
/// deserialized (that needs the application's types).
/// </summary>
internal sealed class SnapshotCheck
{
    private SnapshotCheck(SnapshotFile file, long bytes, string? problem, string? persistenceId, bool unreadable = false)
    {
        File = file;
        Bytes = bytes;
        Problem = problem;
        PersistenceId = persistenceId;
        IsUnreadable = unreadable;
    }

    public SnapshotFile File { get; }
    public long Bytes { get; }
    /// <summary>What is wrong with the file, or null when it is intact.</summary>
    public string? Problem { get; }
    public bool IsIntact => Problem is null;
    /// <summary>The file could not be read at all (no permission, not a regular file): nothing is known about its content.</summary>
    public bool IsUnreadable { get; }
    /// <summary>The id its record names, when readable.</summary>
    public string? PersistenceId { get; }

    public static SnapshotCheck Check(SnapshotFile file, string? persistenceId)
    {
        long bytes = 0;
        try
        {
            using var log = MiniStoreLog.Open(file.Path, LogScanner.ReadOptions, readOnly: true);
            bytes = log.Length + (log.TornTail?.Length ?? 0);
            if (bytes == 0)
                return new(file, 0, "snapshot file is empty (0 bytes)", null);
            if (log.TornTail is { } torn)
                return new(file, bytes, $"snapshot file ends torn at byte offset {torn.Offset} ({torn.Length} bytes: {torn.Reason})", null);
            int records = 0;
            string? pid = null, problem = null;
            foreach (var record in log.Read())
            {
                if (++records == 1)
                    (pid, problem) = ReadRecord(record, file, persistenceId);
            }
            if (records != 1)
                problem = $"snapshot file holds {records} records; a snapshot is one";
            return new(file, bytes, problem, pid);
        }
        catch (CorruptLogException e)
        {
            return new(file, bytes, e.Problem, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(file, bytes, $"cannot be read: {e.Message}", null, unreadable: true);
        }
    }

    /// <summary>The record's id, and what is wrong with it (null when it is the snapshot its file name says).</summary>
    private static (string? PersistenceId, string? Problem) ReadRecord(in LogRecord record, SnapshotFile file, string? persistenceId)
    {
        try
        {
            using var json = JsonDocument.Parse(record.Json);
            var root = json.RootElement;
            string? pid = root.GetProperty(RecordFields.PersistenceId).GetString();
            long seq = root.GetProperty(RecordFields.SequenceNr).GetInt64();
            if (persistenceId is not null && pid != persistenceId)
                return (pid, $"snapshot record belongs to persistence id '{pid}', expected '{persistenceId}'");
            if (seq != file.SequenceNr)
                return (pid, $"snapshot record has sequence number {seq}, its file name says {file.SequenceNr}");
            return (pid, null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return (null, $"snapshot record is not readable: {e.Message}");
        }
    }
}
