using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MiniStore.Tests;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ministore-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}

/// <summary>Counts (and optionally performs) every sync call, recording the file length each file sync saw.</summary>
public class CountingSync : IFileSync
{
    private readonly bool _realSync;
    private readonly object _gate = new();
    private readonly List<long> _fileLengthsAtSync = new();
    private readonly List<string> _directories = new();
    private int _fileSyncs;

    public CountingSync(bool realSync = true) => _realSync = realSync;

    public int FileSyncs => Volatile.Read(ref _fileSyncs);

    public IReadOnlyList<long> FileLengthsAtSync { get { lock (_gate) return _fileLengthsAtSync.ToList(); } }

    public IReadOnlyList<string> Directories { get { lock (_gate) return _directories.ToList(); } }

    public virtual void SyncFile(SafeFileHandle file)
    {
        long length = RandomAccess.GetLength(file);
        if (_realSync) OsFileSync.Instance.SyncFile(file);
        lock (_gate) _fileLengthsAtSync.Add(length);
        Interlocked.Increment(ref _fileSyncs);
    }

    public virtual void SyncDirectory(string directory)
    {
        if (_realSync) OsFileSync.Instance.SyncDirectory(directory);
        lock (_gate) _directories.Add(directory);
    }
}

/// <summary>While armed, every file sync blocks until <see cref="Release"/> is called, so a test can hold an fsync open.</summary>
public sealed class BlockingSync : CountingSync
{
    private readonly SemaphoreSlim _gate = new(0);
    private readonly SemaphoreSlim _entered = new(0);
    private volatile bool _armed = true;

    public BlockingSync() : base(realSync: false) { }

    /// <summary>Waits until some file sync is blocked inside <see cref="SyncFile"/>; false if none came (the bound only ends a failing test).</summary>
    public bool WaitUntilBlocked() => _entered.Wait(TimeSpan.FromSeconds(30));

    /// <summary>Stops blocking and lets every held sync through.</summary>
    public void Release()
    {
        _armed = false;
        _gate.Release(1000);
    }

    public override void SyncFile(SafeFileHandle file)
    {
        if (_armed)
        {
            _entered.Release();
            if (!_gate.Wait(TimeSpan.FromSeconds(60)))
                throw new TimeoutException("test never released the blocked sync");
        }
        base.SyncFile(file);
    }
}

/// <summary>A sync that throws IOException, once or until cleared.</summary>
public sealed class FailingSync : CountingSync
{
    private readonly object _gate = new();
    private int _failNext;
    private bool _failAlways;

    public FailingSync() : base(realSync: true) { }

    public const string FailureMessage = "injected fsync failure (EIO)";

    public void FailNext(int count) { lock (_gate) _failNext = count; }
    public void FailAlways(bool on) { lock (_gate) _failAlways = on; }

    public override void SyncFile(SafeFileHandle file)
    {
        lock (_gate)
        {
            if (_failAlways) throw new IOException(FailureMessage);
            if (_failNext > 0) { _failNext--; throw new IOException(FailureMessage); }
        }
        base.SyncFile(file);
    }
}

public static class LogTestHelpers
{
    public static ReadOnlyMemory<byte> Utf8(string json) => Encoding.UTF8.GetBytes(json);

    public static void AppendJson(this MiniStoreLog log, string json) => log.Append(Utf8(json));

    public static void AppendJsonBatch(this MiniStoreLog log, params string[] json) => log.Append(json.Select(Utf8).ToList());

    /// <summary>Every record the log reads (up to its <see cref="MiniStoreLog.Length"/>) as its JSON text, in order.</summary>
    public static List<string> ReadJson(this MiniStoreLog log, long fromOffset = 0, long fromLineNumber = 1) =>
        log.Read(fromOffset, fromLineNumber).Select(r => Encoding.UTF8.GetString(r.Json.Span)).ToList();

    /// <summary>Every record of the log file as its JSON text, in order, read on a read-only handle of its own.</summary>
    public static List<string> ReadJson(string path, MiniStoreOptions? options = null)
    {
        using var log = MiniStoreLog.Open(path, options, readOnly: true);
        return log.ReadJson();
    }

    public static int Count(string path, MiniStoreOptions? options = null) => ReadJson(path, options).Count;

    /// <summary>The text of a record read back.</summary>
    public static string Text(this LogRecord record) => Encoding.UTF8.GetString(record.Json.Span);

    /// <summary>Start offset and length (including its '\n') of every line of a file.</summary>
    public static List<(int Offset, int Length)> Lines(byte[] bytes)
    {
        var lines = new List<(int, int)>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add((start, i - start + 1));
                start = i + 1;
            }
        }
        if (start < bytes.Length)
            lines.Add((start, bytes.Length - start));
        return lines;
    }

    /// <summary>
    /// Encodes a log line straight from the format specification, independently of the engine's encoder:
    /// <c>{"crc":"&lt;crc32c hex&gt;",["more":true,]"rec":&lt;json&gt;}\n</c>, CRC over the bytes after the header up to the final '}'.
    /// </summary>
    public static byte[] EncodeLineBySpec(string recordJson, bool more = false)
    {
        byte[] body = Encoding.UTF8.GetBytes((more ? "\"more\":true," : "") + "\"rec\":" + recordJson);
        uint crc = SoftwareCrc32C(body);
        var line = new List<byte>(body.Length + 20);
        line.AddRange(Encoding.ASCII.GetBytes("{\"crc\":\"" + crc.ToString("x8") + "\","));
        line.AddRange(body);
        line.Add((byte)'}');
        line.Add((byte)'\n');
        return line.ToArray();
    }

    /// <summary>Bit-by-bit CRC-32C (reflected polynomial 0x82F63B78), a reference independent of the engine.</summary>
    public static uint SoftwareCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}
