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
/// <para>
/// A journal that stops cleanly (every write resolved, the index fsync'd) ends the log with
/// <c>{"checked":C,"clean":O,"length":L}</c>: the index, L bytes long, then held every stored event, O is the last
/// ordering handed out, and C is still what was read whole. The next start that finds the index L bytes long need not
/// read the end of every log to catch it up; it still reads the part after C, then supersedes the mark with a plain one
/// (fsync'd) before anything is written, so a crash after that start is never taken for a clean stop.
/// </para>
/// </summary>
internal sealed class IndexCheckMark(string indexPath, MiniStoreOptions logOptions)
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(indexPath)!, "checked.jsonl");

    /// <summary>
    /// How many leading bytes of an index of <paramref name="indexLength"/> bytes are known intact (0 when unknown), and,
    /// when the journal stopped cleanly with the index at exactly that length, the last ordering it had handed out.
    /// </summary>
    public (long CheckedTo, long? CleanOrdering) Read(long indexLength)
    {
        try
        {
            if (!MiniStoreLog.Exists(Path))
                return (0, null);
            using var marks = MiniStoreLog.Open(Path, logOptions, readOnly: true);
            if (marks.LastRecordAtOpen is not { } last)
                return (0, null);
            using var json = JsonDocument.Parse(last.Json);
            var mark = json.RootElement;
            long checkedTo = mark.GetProperty("checked").GetInt64();
            if (checkedTo > indexLength)
                return (0, null);
            bool clean = mark.TryGetProperty("clean", out var ordering) && mark.GetProperty("length").GetInt64() == indexLength;
            return (checkedTo, clean ? ordering.GetInt64() : null);
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return (0, null);
        }
    }

    /// <summary>Makes the index durable (it has just been read whole up to <paramref name="indexLength"/>), then records that.</summary>
    public void Move(long indexLength) => Append(indexLength, $"{{\"checked\":{indexLength}}}");

    /// <summary>Makes the index (now <paramref name="indexLength"/> bytes) durable and records a clean stop, keeping what is known read whole.</summary>
    public void MarkClean(long indexLength, long lastOrdering) =>
        Append(indexLength, $"{{\"checked\":{Read(indexLength).CheckedTo},\"clean\":{lastOrdering},\"length\":{indexLength}}}");

    private void Append(long indexLength, string mark)
    {
        using (var index = File.OpenHandle(indexPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            logOptions.FileSync.SyncFile(index);
        using var marks = MiniStoreLog.Open(Path, logOptions);
        marks.Append(Encoding.UTF8.GetBytes(mark));
    }

    /// <summary>Forgets the mark, before the index is replaced (rebuilt or compacted).</summary>
    public void Clear() => File.Delete(Path);
}
