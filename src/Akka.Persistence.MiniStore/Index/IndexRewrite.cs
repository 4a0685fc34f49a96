using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Index;

/// <summary>
/// One compaction of the event index, as the logs are compacted (see <see cref="LogCompactor"/>): the kept entries
/// are copied byte for byte (same records, same checksums, same orderings) to <c>events.jsonl.compacting</c>, which is
/// fsync'd and renamed over the index, and the directory fsync'd; whenever the machine stops, the index's name holds
/// the whole old index or the whole new one. The bulk is copied while appends go on (<see cref="CopyKept"/>); the
/// entries appended meanwhile are copied, and the file renamed, under the index's lock (<see cref="Finish"/>).
/// </summary>
internal sealed class IndexRewrite : IDisposable
{
    private readonly string _indexPath;
    private readonly string _temporary;
    private readonly MiniStoreOptions _options;
    private readonly IFileSync _sync;
    private MiniStoreLog? _copy;
    private bool _renamed;

    /// <param name="appendOptions">Options that append without a file sync: the copy is fsync'd once, whole.</param>
    public IndexRewrite(string indexPath, MiniStoreOptions appendOptions, IFileSync sync)
    {
        _indexPath = indexPath;
        _temporary = indexPath + LogCompactor.TemporaryExtension;
        _options = appendOptions;
        _sync = sync;
        LogCompactor.RemoveLeftover(indexPath);
        _copy = MiniStoreLog.Open(_temporary, appendOptions);
    }

    /// <summary>Entries in the copy.</summary>
    public long Entries { get; private set; }

    /// <summary>Copies the entries before <paramref name="end"/> that <paramref name="survey"/> keeps, then makes the copy durable. False when stopped.</summary>
    public bool CopyKept(IndexSurvey survey, long end, Func<bool> stopping)
    {
        var batch = new List<IReadOnlyList<ReadOnlyMemory<byte>>>(4096);
        using (var index = MiniStoreLog.Open(_indexPath, _options, readOnly: true))
            foreach (var line in index.Read())
            {
                if (line.Offset >= end)
                    break;
                if (survey.Keeps(IndexEntry.Read(line, _indexPath)))
                    batch.Add([line.Json.ToArray()]);
                if (batch.Count == 4096)
                {
                    if (stopping())
                        return false;
                    Append(batch);
                }
            }
        Append(batch);
        Sync();
        return true;
    }

    /// <summary>
    /// Under the index's lock (no append in between): copies what <paramref name="index"/> holds from
    /// <paramref name="end"/> on, makes the copy durable and renames it over the index. The caller then reopens the
    /// index, and fsyncs the directory.
    /// </summary>
    public void Finish(MiniStoreLog index, long end)
    {
        var batch = new List<IReadOnlyList<ReadOnlyMemory<byte>>>();
        foreach (var line in index.Read(end, fromLineNumber: 0))
            batch.Add([line.Json.ToArray()]);
        Append(batch);
        Sync();
        _copy!.Dispose();
        _copy = null;
        File.Move(_temporary, _indexPath, overwrite: true);
        _renamed = true;
    }

    private void Append(List<IReadOnlyList<ReadOnlyMemory<byte>>> batch)
    {
        if (batch.Count == 0)
            return;
        _copy!.AppendBatches(batch); // one frame per entry, as the journal writes them
        Entries += batch.Count;
        batch.Clear();
    }

    private void Sync()
    {
        using var file = File.OpenHandle(_temporary, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _sync.SyncFile(file);
    }

    /// <summary>Closes the copy; one that was not renamed over the index is removed.</summary>
    public void Dispose()
    {
        _copy?.Dispose();
        _copy = null;
        if (!_renamed)
            File.Delete(_temporary);
    }
}
