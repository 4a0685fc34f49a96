using System.Runtime.Versioning;
using MiniStore;
using Xunit;

namespace Akka.Persistence.MiniStore.Tests.Store;

/// <summary><see cref="StoreLock"/>: one holder of a store directory at a time, and a refusal that names the directory and the holder.</summary>
public sealed class StoreLockTests : IDisposable
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ministore-tests", Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_second_holder_is_refused_with_the_directory_and_the_first_owner_until_the_first_releases()
    {
        using (var first = StoreLock.Acquire(_dir, "store.lock", "first holder"))
        {
            var e = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(_dir, "store.lock", "second holder"));
            Assert.Equal(_dir, e.Directory);
            Assert.Equal(first.Path, e.LockPath);
            Assert.Equal(Environment.ProcessId, e.OwnerProcessId);
            Assert.Contains($"'{_dir}'", e.Message);
            Assert.Contains($"process {Environment.ProcessId} (this process)", e.Message);
            Assert.Contains("first holder", e.Message);
            Assert.DoesNotContain("second holder", e.Message);
            // Another lock file name in the same directory is another lock.
            using (StoreLock.Acquire(_dir, "other.lock", "other")) { }
        }

        using var again = StoreLock.Acquire(_dir, "store.lock", "second holder");
        var refused = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(_dir, "store.lock", "third"));
        Assert.Contains("second holder", refused.Owner);
    }

    [Fact]
    public void A_lock_file_without_an_owner_line_still_locks_and_the_refusal_says_so()
    {
        string path = Path.Combine(_dir, "bare.lock");
        using var held = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, OperatingSystem.IsWindows() ? FileShare.Read : FileShare.None);
        var e = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(_dir, "bare.lock", "late"));
        Assert.Null(e.OwnerProcessId);
        Assert.Contains("did not write who it is", e.Message);
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void A_lock_file_is_created_for_its_owner_only_or_with_the_configured_mode()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        using (StoreLock.Acquire(_dir, "store.lock", "test")) { }
        Assert.Equal(OwnerFile, File.GetUnixFileMode(Path.Combine(_dir, "store.lock")));

        var options = new MiniStoreOptions { FileMode = OwnerFile | UnixFileMode.GroupRead };
        using (StoreLock.Acquire(_dir, "group.lock", "test", options)) { }
        Assert.Equal(options.FileMode, File.GetUnixFileMode(Path.Combine(_dir, "group.lock")));
    }
}
