using System.Runtime.InteropServices;

namespace MiniStore.Tests;

/// <summary>
/// A log path is opened only if it is a regular file itself: a symbolic link (to anything, anywhere), a directory, a
/// named pipe or a device is refused by <see cref="MiniStoreLog.Open"/>, read-write and read-only, naming what it is,
/// and nothing outside the log's directory is read, cut, copied or created.
/// </summary>
public sealed class NoFollowTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TempDir _outside = new();

    public void Dispose()
    {
        _dir.Dispose();
        _outside.Dispose();
    }

    public static TheoryData<string> LinkTargets => ["zeros", "valid log", "torn log", "missing file"];

    [SkippableTheory]
    [MemberData(nameof(LinkTargets))]
    public void A_log_path_that_is_a_symbolic_link_is_refused_and_its_target_is_left_alone(string target)
    {
        Skip.If(OperatingSystem.IsWindows(), "creating symbolic links needs a privilege on Windows");
        string targetPath = _outside.File("target.log");
        switch (target)
        {
            case "zeros":
                File.WriteAllBytes(targetPath, new byte[4096]);
                break;
            case "valid log":
            case "torn log":
                using (var log = MiniStoreLog.Open(targetPath))
                    log.AppendJsonBatch("{\"a\":1}", "{\"a\":2}");
                if (target == "torn log")
                    File.AppendAllText(targetPath, "{\"crc\":\"0000");
                break;
        }
        byte[]? before = File.Exists(targetPath) ? File.ReadAllBytes(targetPath) : null;
        var outsideBefore = Directory.GetFileSystemEntries(_outside.Path);
        string path = _dir.File("link.log");
        File.CreateSymbolicLink(path, targetPath);

        Assert.True(MiniStoreLog.Exists(path));
        foreach (bool readOnly in new[] { false, true })
        {
            var e = Assert.Throws<NotARegularFileException>(() => MiniStoreLog.Open(path, readOnly: readOnly));
            Assert.Contains("symbolic link", e.Message);
            Assert.Contains(path, e.Message);
        }

        // The target: the same bytes, the same length, or still nothing; no copy, nothing new on either side.
        if (before is null)
            Assert.False(File.Exists(targetPath));
        else
        {
            Assert.Equal(before, File.ReadAllBytes(targetPath));
            Assert.Equal(before.Length, new FileInfo(targetPath).Length);
        }
        Assert.Equal(outsideBefore, Directory.GetFileSystemEntries(_outside.Path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir.Path));
        Assert.Equal(targetPath, new FileInfo(path).LinkTarget);
    }

    [Fact]
    public void A_log_path_that_is_a_directory_is_refused_naming_it()
    {
        string path = _dir.File("dir.log");
        Directory.CreateDirectory(path);

        Assert.True(MiniStoreLog.Exists(path));
        foreach (bool readOnly in new[] { false, true })
        {
            var e = Assert.Throws<NotARegularFileException>(() => MiniStoreLog.Open(path, readOnly: readOnly));
            Assert.Contains("is a directory", e.Message);
            Assert.Contains(path, e.Message);
        }
        Assert.Empty(Directory.GetFileSystemEntries(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir.Path));
    }

    [SkippableFact]
    public async Task A_log_path_that_is_a_named_pipe_is_refused_at_once_naming_it()
    {
        Skip.If(OperatingSystem.IsWindows(), "named pipes in the file system are a Unix thing");
        string path = _dir.File("pipe.log");
        Assert.Equal(0, mkfifo(path, 0b110_000_000));

        Assert.True(MiniStoreLog.Exists(path));
        foreach (bool readOnly in new[] { false, true })
        {
            // Opening a pipe for reading waits for a writer: the open must refuse it before that (the bound only
            // ends a failing test, with a TimeoutException).
            var open = Task.Run(() => MiniStoreLog.Open(path, readOnly: readOnly));
            var e = await Assert.ThrowsAsync<NotARegularFileException>(() => open.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("is a named pipe", e.Message);
            Assert.Contains(path, e.Message);
        }
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir.Path));
    }

    [SkippableFact]
    public void A_log_path_that_is_a_device_is_refused_naming_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the engine names the kind of a special file on Linux only");
        Skip.IfNot(File.Exists("/dev/null"), "no /dev/null here");
        Assert.True(MiniStoreLog.Exists("/dev/null"));
        foreach (bool readOnly in new[] { false, true })
        {
            var e = Assert.Throws<NotARegularFileException>(() => MiniStoreLog.Open("/dev/null", readOnly: readOnly));
            Assert.Contains("is a device", e.Message);
            Assert.Contains("/dev/null", e.Message);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
