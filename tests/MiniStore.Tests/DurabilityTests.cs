namespace MiniStore.Tests;

public sealed class DurabilityTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Append_is_not_acknowledged_while_its_fsync_is_held()
    {
        string path = _dir.File("held.log");
        var sync = new BlockingSync();
        using var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync });

        try
        {
            // The append writes and fsyncs on its caller's thread, so it is started on a thread of its own.
            Task append = Task.Run(() => log.AppendJson("{\"held\":true}"));
            Assert.True(sync.WaitUntilBlocked(), "append never called SyncFile");
            Assert.False(append.IsCompleted, "append returned while its fsync was still held");
            Assert.Equal(0, log.Length);

            sync.Release();
            await append.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(append.IsCompletedSuccessfully);
            Assert.Equal(1, sync.FileSyncs);
            Assert.Equal(new FileInfo(path).Length, log.Length);
            // The sync that released the acknowledgement saw the record's bytes already in the file.
            Assert.Equal(new FileInfo(path).Length, sync.FileLengthsAtSync.Single());
        }
        finally
        {
            sync.Release(); // so that a failed assertion does not leave the append waiting on a held sync
        }
    }

    [Fact]
    public void Every_acknowledged_append_is_covered_by_a_sync_after_its_write()
    {
        string path = _dir.File("each.log");
        var sync = new CountingSync();
        using var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync });

        for (int i = 0; i < 20; i++)
        {
            int before = sync.FileSyncs;
            if (i % 3 == 0)
                log.AppendJsonBatch($"{{\"i\":{i},\"part\":1}}", $"{{\"i\":{i},\"part\":2}}");
            else
                log.AppendJson($"{{\"i\":{i}}}");
            Assert.True(sync.FileSyncs > before, $"append {i} was acknowledged without a SyncFile call");
            Assert.Equal(new FileInfo(path).Length, sync.FileLengthsAtSync[^1]);
            Assert.Equal(log.Length, sync.FileLengthsAtSync[^1]);
        }
        Assert.True(sync.FileSyncs >= 20);
    }

    [Fact]
    public void Creating_a_log_syncs_its_parent_directory()
    {
        string directory = Path.Combine(_dir.Path, "dir");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "new.log");
        var sync = new CountingSync();

        using (var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync }))
        {
            Assert.True(File.Exists(path));
            Assert.Equal([Path.GetFullPath(directory)], sync.Directories);
            log.AppendJson("{\"x\":1}");
        }
        // Opening it again creates nothing, so it syncs no directory.
        using (MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync }))
            Assert.Single(sync.Directories);
    }

    [Fact]
    public void A_log_in_a_missing_directory_is_refused_naming_the_directory_and_nothing_is_created()
    {
        string directory = Path.Combine(_dir.Path, "missing", "dir");
        var e = Assert.Throws<DirectoryNotFoundException>(() => MiniStoreLog.Open(Path.Combine(directory, "new.log")));
        Assert.Contains($"'{directory}'", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "missing")));
    }

    [Fact]
    public void Creating_a_log_from_a_relative_path_syncs_the_full_parent_directory()
    {
        string previous = Environment.CurrentDirectory;
        var sync = new CountingSync();
        string relative = Path.GetRelativePath(previous, _dir.File("relative.log"));
        using (var log = MiniStoreLog.Open(relative, new MiniStoreOptions { FileSync = sync }))
            Assert.Equal(_dir.File("relative.log"), log.Path);
        Assert.Contains(_dir.Path, sync.Directories);
    }

    [Fact]
    public void Failed_fsync_fails_the_append_naming_the_log_and_cuts_the_record_back_off()
    {
        string path = _dir.File("fail-once.log");
        var sync = new FailingSync();
        using (var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync }))
        {
            for (int i = 0; i < 3; i++)
                log.AppendJson($"{{\"i\":{i}}}");
            long before = new FileInfo(path).Length;

            sync.FailNext(1);
            var e = Assert.Throws<IOException>(() => log.AppendJson("{\"i\":\"lost\"}"));
            Assert.Contains(path, e.Message);
            Assert.Contains(FailingSync.FailureMessage, e.Message);
            Assert.Equal(before, new FileInfo(path).Length);
            Assert.Equal(before, log.Length);
            Assert.Equal(3, LogTestHelpers.Count(path));

            // The fault is gone: the same log keeps appending, with no gap and no half record.
            log.AppendJson("{\"i\":3}");
            log.AppendJsonBatch("{\"i\":4}", "{\"i\":5}");
            Assert.Equal(6, LogTestHelpers.Count(path));
        }

        using (var log = MiniStoreLog.Open(path))
            Assert.Null(log.TornTail);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"{{\"i\":{i}}}").ToList(), LogTestHelpers.ReadJson(path));
    }

    [Fact]
    public void Persistent_fsync_failure_makes_the_log_refuse_appends_until_reopened()
    {
        string path = _dir.File("fail-always.log");
        var sync = new FailingSync();
        using (var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync }))
        {
            for (int i = 0; i < 3; i++)
                log.AppendJson($"{{\"i\":{i}}}");
            long before = new FileInfo(path).Length;

            sync.FailAlways(true);
            var e = Assert.Throws<IOException>(() => log.AppendJson("{\"i\":\"lost\"}"));
            Assert.Contains(path, e.Message);
            Assert.Equal(before, new FileInfo(path).Length);

            // The rollback could not be made durable either, so the instance refuses further appends.
            var refused = Assert.Throws<IOException>(() => log.AppendJson("{\"i\":\"refused\"}"));
            Assert.Contains(path, refused.Message);
            Assert.Equal(before, new FileInfo(path).Length);
            sync.FailAlways(false);
        }

        using (var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync }))
        {
            Assert.Null(log.TornTail);
            Assert.Equal(3, LogTestHelpers.Count(path));
            log.AppendJson("{\"i\":3}");
        }
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"{{\"i\":{i}}}").ToList(), LogTestHelpers.ReadJson(path));
    }

    [Fact]
    public void A_failed_fsync_of_several_batches_keeps_none_of_them()
    {
        string path = _dir.File("fail-batches.log");
        var sync = new FailingSync();
        using (var log = MiniStoreLog.Open(path, new MiniStoreOptions { FileSync = sync }))
        {
            log.AppendJson("{\"i\":0}");
            long before = new FileInfo(path).Length;
            sync.FailNext(1);
            var batches = Enumerable.Range(0, 20).Select(i => (IReadOnlyList<ReadOnlyMemory<byte>>)[LogTestHelpers.Utf8($"{{\"lost\":{i}}}")]).ToList();
            var e = Assert.Throws<IOException>(() => log.AppendBatches(batches));
            Assert.Contains(path, e.Message);
            Assert.Equal(before, log.Length);
            Assert.Equal(before, new FileInfo(path).Length);
            Assert.Equal(["{\"i\":0}"], LogTestHelpers.ReadJson(path));
        }
        using (var log = MiniStoreLog.Open(path))
            Assert.Null(log.TornTail);
    }

    [Fact]
    public void Appending_after_dispose_throws()
    {
        var log = MiniStoreLog.Open(_dir.File("disposed.log"));
        log.AppendJson("1");
        log.Dispose();
        Assert.Throws<ObjectDisposedException>(() => log.AppendJson("2"));
    }

    [Fact]
    public void An_append_to_a_log_whose_file_was_removed_while_open_fails_naming_it()
    {
        string path = _dir.File("removed.log");
        using var log = MiniStoreLog.Open(path);
        log.AppendJson("1");
        File.Delete(path);

        var e = Assert.Throws<IOException>(() => log.AppendJson("2"));
        Assert.Contains(path, e.Message);
        Assert.IsType<FileNotFoundException>(e.InnerException);
    }
}
