using System.Runtime.Versioning;

namespace MiniStore.Tests;

public sealed class FileModeTests : IDisposable
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void The_engine_creates_logs_and_torn_tail_copies_for_the_owner_only()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        string directory = _dir.File("new-dir");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "a.jsonl");
        using (var log = MiniStoreLog.Open(path))
            log.AppendJson("{\"a\":1}");
        File.AppendAllText(path, "{\"crc\":"); // torn
        using (var log = MiniStoreLog.Open(path))
            Assert.NotNull(log.RepairTail());

        var files = Directory.GetFiles(directory);
        Assert.Equal(2, files.Length); // the log, its .broken copy
        Assert.All(files, f => Assert.Equal(OwnerFile, File.GetUnixFileMode(f)));
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void Configured_modes_are_used_instead()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        var options = new MiniStoreOptions { FileMode = OwnerFile | UnixFileMode.GroupRead };
        string directory = _dir.File("group-dir");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "b.jsonl");
        using (var log = MiniStoreLog.Open(path, options))
            log.AppendJson("{\"b\":1}");
        File.AppendAllText(path, "{\"crc\":"); // torn
        using (var log = MiniStoreLog.Open(path, options))
            Assert.NotNull(log.RepairTail());

        var files = Directory.GetFiles(directory);
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.Equal(options.FileMode, File.GetUnixFileMode(f)));
    }
}
