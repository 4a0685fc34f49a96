using System.Text;
using System.Text.Json;
using MiniStore;

namespace Akka.Persistence.MiniStore.Index;

/// <summary>
/// How much of the event index is known intact: <c>index/checked.jsonl</c>, a log of <c>{"checked":N}</c> lines whose
/// last says the index's first N bytes were fsync'd and then read whole. The index is not fsync'd when appended, so
/// after a power loss the part written since could be damaged anywhere; the journal's start reads only what follows
/// the mark, then fsyncs the index and moves the mark to its end. Each byte of the index is read once so, not at every
/// start. The mark is only a shortcut: when it is missing, unreadable or beyond the index, the whole index is read.
/// </summary>
internal sealed class IndexCheckMark(string indexPath, MiniStoreOptions logOptions)
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(indexPath)!, "checked.jsonl");

    /// <summary>How many leading bytes of an index of <paramref name="indexLength"/> bytes are known intact (0 when unknown).</summary>
    public long Read(long indexLength)
    {
        try
        {
            if (!MiniStoreLog.Exists(Path))
                return 0;
            using var marks = MiniStoreLog.Open(Path, logOptions, readOnly: true);
            if (marks.LastRecordAtOpen is not { } last)
                return 0;
            using var json = JsonDocument.Parse(last.Json);
            long checkedTo = json.RootElement.GetProperty("checked").GetInt64();
            return checkedTo <= indexLength ? checkedTo : 0;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>Makes the index durable (it has just been read whole up to <paramref name="indexLength"/>), then records that.</summary>
    public void Move(long indexLength)
    {
        using (var index = File.OpenHandle(indexPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            logOptions.FileSync.SyncFile(index);
        using var marks = MiniStoreLog.Open(Path, logOptions);
        marks.Append(Encoding.UTF8.GetBytes($"{{\"checked\":{indexLength}}}"));
    }

    /// <summary>Forgets the mark, before the index is replaced (rebuilt or compacted).</summary>
    public void Clear() => File.Delete(Path);
}
