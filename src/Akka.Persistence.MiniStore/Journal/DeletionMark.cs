using System.Text.Json;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>One line of a <c>&lt;name&gt;.deleted.jsonl</c> log: events up to <see cref="DeletedTo"/> are deleted; <see cref="HighestSequenceNr"/> was the highest stored then.</summary>
internal readonly record struct DeletionMark(long DeletedTo, long HighestSequenceNr)
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
    /// The last deletion mark of a persistence id, or null when nothing was deleted. A mark is only written above the
    /// previous one, with the highest sequence number known then, so the last holds the largest of both; it is read
    /// from the end of the file, whatever the number of marks.
    /// </summary>
    public static async Task<DeletionMark?> ReadLastAsync(string path, string persistenceId, MiniStoreOptions options) =>
        await MiniStoreLog.ReadLastRecordAsync(path, options).ConfigureAwait(false) is { } mark ? Read(mark, path, persistenceId) : null;

    /// <summary>The highest deleted-to mark of a persistence id (0 when nothing was deleted).</summary>
    public static async Task<long> ReadDeletedToAsync(string directory, string persistenceId, MiniStoreOptions options) =>
        (await ReadLastAsync(JournalFiles.DeletionLog(directory, persistenceId), persistenceId, options).ConfigureAwait(false))?.DeletedTo ?? 0;
}
