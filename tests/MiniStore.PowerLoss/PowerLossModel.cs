namespace MiniStore.PowerLoss;

/// <summary>
/// What is on disk after a power loss: the files (by full path, as recorded) and their bytes. <see cref="TornPath"/>
/// names the file that holds more than its last sync made durable (a torn write), if any.
/// </summary>
public sealed record CrashState(int Point, string Description, IReadOnlyDictionary<string, byte[]> Files, string? TornPath)
{
    /// <summary>Writes the files under <paramref name="target"/> in place of <paramref name="root"/>; returns the path map.</summary>
    public Func<string, string> Materialize(string root, string target)
    {
        string Map(string path) => Path.Combine(target, Path.GetRelativePath(root, path));
        Directory.CreateDirectory(target);
        foreach (var (path, content) in Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Map(path))!);
            File.WriteAllBytes(Map(path), content);
        }
        return Map;
    }
}

/// <summary>
/// The file states a power loss can leave at each point of a recording (point k: after its first k steps).
/// <list type="bullet">
/// <item>A file exists only if its directory entry is durable: listed by the last sync of its directory (or there when
/// recording started, if that directory was not synced since), in a directory that is itself durable.</item>
/// <item>Its durable content is that of the last sync of its inode (or its content when recording started, else empty).</item>
/// <item>Bytes written after that sync (seen by the next sync of the inode) may be lost, partly written (cut at any
/// byte) or, where the size reached the disk before the data, read back as zeros.</item>
/// </list>
/// </summary>
public sealed class PowerLossModel
{
    private readonly RecordingFileSync _recording;
    private readonly IReadOnlyList<Step> _steps;

    public PowerLossModel(RecordingFileSync recording)
    {
        _recording = recording;
        _steps = recording.Steps;
    }

    public IReadOnlyList<Step> Steps => _steps;

    /// <summary>Crash points: 0 (nothing done) to <c>Steps.Count</c> (all done).</summary>
    public int Points => _steps.Count + 1;

    /// <summary>What the workload acknowledged before point <paramref name="k"/>.</summary>
    public IEnumerable<Acknowledged> AcknowledgedBefore(int k) => _steps.Take(k).OfType<Acknowledged>();

    /// <summary>Everything after the last completed sync lost.</summary>
    public CrashState Synced(int k)
    {
        var files = DurableFiles(k).Where(f => f.Content is not null).ToDictionary(f => f.Path, f => f.Content!);
        return new CrashState(k, "everything after the last sync lost", files, null);
    }

    /// <summary>
    /// <see cref="Synced"/>, then for each file with unsynced writes: those writes cut at up to
    /// <paramref name="cuts"/> byte positions (line ends, one byte either side of them, mid-line; chosen with
    /// <paramref name="random"/>), all of them kept, and their length kept but their bytes read back as zeros.
    /// </summary>
    public IEnumerable<CrashState> StatesAt(int k, Random random, int cuts = 8)
    {
        var synced = Synced(k);
        yield return synced;
        foreach (var file in DurableFiles(k))
        {
            if (file.Content is null || NextSyncedContent(file.Inode, k) is not { } written || written.AsSpan().SequenceEqual(file.Content))
                continue;
            if (!written.AsSpan().StartsWith(file.Content))
            {
                yield return With(synced, file.Path, written, "a truncation or rewrite after the last sync reached the disk");
                continue;
            }
            int baseLength = file.Content.Length;
            foreach (int cut in CutPoints(written, baseLength, random, cuts))
                yield return With(synced, file.Path, written[..cut], $"unsynced write to '{file.Path}' cut after {cut - baseLength} of its {written.Length - baseLength} bytes");
            var zeros = new byte[written.Length];
            file.Content.CopyTo(zeros, 0);
            yield return With(synced, file.Path, zeros, $"unsynced write to '{file.Path}': its {written.Length - baseLength} bytes read back as zeros");
        }
    }

    private static CrashState With(CrashState state, string path, byte[] content, string description)
    {
        var files = new Dictionary<string, byte[]>(state.Files) { [path] = content };
        return new CrashState(state.Point, description, files, path);
    }

    private static IEnumerable<int> CutPoints(byte[] written, int from, Random random, int count)
    {
        var candidates = new SortedSet<int>();
        int lineStart = from;
        for (int i = from; i < written.Length; i++)
        {
            if (written[i] != '\n')
                continue;
            candidates.Add(i);          // the line without its '\n'
            candidates.Add(i + 1);      // whole lines
            candidates.Add(Math.Min(i + 2, written.Length)); // one byte of the next line
            candidates.Add((lineStart + i) / 2);
            lineStart = i + 1;
        }
        candidates.Add(from + 1);
        candidates.Add(written.Length);
        var list = candidates.Where(c => c > from && c <= written.Length).ToList();
        return list.OrderBy(_ => random.Next()).Take(count).Order();
    }

    private sealed record DurableFile(string Path, ulong Inode, byte[]? Content);

    private IEnumerable<DurableFile> DurableFiles(int k)
    {
        var pending = new Stack<string>([_recording.Root]);
        var knownDirectories = _recording.InitialDirectories
            .Concat(_steps.OfType<DirectorySynced>().Select(s => s.Directory))
            .Concat(_steps.OfType<FileSynced>().Select(s => Path.GetDirectoryName(s.Path)!))
            .ToHashSet();
        while (pending.Count > 0)
        {
            string directory = pending.Pop();
            foreach (var (name, inode) in EntriesAt(directory, k))
            {
                string path = Path.Combine(directory, name);
                if (knownDirectories.Contains(path))
                    pending.Push(path);
                else
                    yield return new DurableFile(path, inode, ContentAt(path, inode, k));
            }
        }
    }

    private IReadOnlyDictionary<string, ulong> EntriesAt(string directory, int k)
    {
        for (int i = k - 1; i >= 0; i--)
            if (_steps[i] is DirectorySynced synced && synced.Directory == directory)
                return synced.Entries;
        var initial = new Dictionary<string, ulong>();
        foreach (var (path, (inode, _)) in _recording.Initial)
            if (Path.GetDirectoryName(path) == directory)
                initial[Path.GetFileName(path)] = inode;
        foreach (string path in _recording.InitialDirectories)
            if (Path.GetDirectoryName(path) == directory)
                initial[Path.GetFileName(path)] = 0;
        return initial;
    }

    private byte[]? ContentAt(string path, ulong inode, int k)
    {
        for (int i = k - 1; i >= 0; i--)
            if (_steps[i] is FileSynced synced && synced.Inode == inode)
                return synced.Content;
        return _recording.Initial.TryGetValue(path, out var initial) && initial.Inode == inode ? initial.Content : [];
    }

    private byte[]? NextSyncedContent(ulong inode, int k)
    {
        for (int i = k; i < _steps.Count; i++)
            if (_steps[i] is FileSynced synced && synced.Inode == inode)
                return synced.Content;
        return null;
    }
}
