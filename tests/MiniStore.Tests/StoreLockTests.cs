namespace MiniStore.Tests;

public sealed class StoreLockTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_second_holder_is_refused_with_the_directory_and_the_first_owner_until_the_first_releases()
    {
        using (var first = StoreLock.Acquire(_dir.Path, "store.lock", "first holder"))
        {
            var e = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(_dir.Path, "store.lock", "second holder"));
            Assert.Equal(_dir.Path, e.Directory);
            Assert.Equal(first.Path, e.LockPath);
            Assert.Equal(Environment.ProcessId, e.OwnerProcessId);
            Assert.Contains($"'{_dir.Path}'", e.Message);
            Assert.Contains($"process {Environment.ProcessId} (this process)", e.Message);
            Assert.Contains("first holder", e.Message);
            Assert.DoesNotContain("second holder", e.Message);
            // Another lock file name in the same directory is another lock.
            using (StoreLock.Acquire(_dir.Path, "other.lock", "other")) { }
        }

        using var again = StoreLock.Acquire(_dir.Path, "store.lock", "second holder");
        var refused = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(_dir.Path, "store.lock", "third"));
        Assert.Contains("second holder", refused.Owner);
    }

    [Fact]
    public void A_lock_file_without_an_owner_line_still_locks_and_the_refusal_says_so()
    {
        string path = _dir.File("bare.lock");
        using var held = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, OperatingSystem.IsWindows() ? FileShare.Read : FileShare.None);
        var e = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(_dir.Path, "bare.lock", "late"));
        Assert.Null(e.OwnerProcessId);
        Assert.Contains("did not write who it is", e.Message);
    }
}
