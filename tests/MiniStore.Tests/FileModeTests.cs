namespace MiniStore.Tests;

public sealed class FileModeTests : IDisposable
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = OwnerFile | UnixFileMode.UserExecute;
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_engine_creates_logs_torn_tail_copies_lock_files_and_directories_for_the_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        string directory = _dir.File("new-dir");
        string path = Path.Combine(directory, "a.jsonl");
        await using (var log = await MiniStoreLog.OpenAsync(path))
            await log.AppendJsonAsync("{\"a\":1}");
        await File.AppendAllTextAsync(path, "{\"crc\":"); // torn
        await using (var log = await MiniStoreLog.OpenAsync(path))
            Assert.NotNull(log.Repair);
        using (StoreLock.Acquire(directory, "store.lock", "test")) { }

        Assert.Equal(OwnerDirectory, File.GetUnixFileMode(directory));
        var files = Directory.GetFiles(directory);
        Assert.Equal(3, files.Length); // the log, its .broken copy, the lock file
        Assert.All(files, f => Assert.Equal(OwnerFile, File.GetUnixFileMode(f)));
    }

    [Fact]
    public async Task Configured_modes_are_used_instead()
    {
        if (OperatingSystem.IsWindows()) return;
        var options = new MiniStoreOptions { FileMode = OwnerFile | UnixFileMode.GroupRead, DirectoryMode = OwnerDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute };
        string directory = _dir.File("group-dir");
        await using (var log = await MiniStoreLog.OpenAsync(Path.Combine(directory, "b.jsonl"), options))
            await log.AppendJsonAsync("{\"b\":1}");
        Assert.Equal(options.DirectoryMode, File.GetUnixFileMode(directory));
        Assert.Equal(options.FileMode, File.GetUnixFileMode(Path.Combine(directory, "b.jsonl")));
    }
}
