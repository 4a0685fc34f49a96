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
        await using var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync });

        try
        {
            // The append is written and fsync'd on its caller's thread, so it is started on its own.
            Task append = Task.Run(() => log.AppendJsonAsync("{\"held\":true}"));
            await Task.Delay(200);
            Assert.False(append.IsCompleted, "append completed while its fsync was still held (or without any fsync)");
            Assert.True(await sync.WaitUntilBlockedAsync(TimeSpan.FromSeconds(10)), "append never called SyncFile");
            Assert.False(append.IsCompleted);
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
            sync.Release(); // so that a failed assertion does not leave disposal waiting on a held sync
        }
    }

    [Fact]
    public async Task Every_acknowledged_append_is_covered_by_a_sync_after_its_write()
    {
        string path = _dir.File("each.log");
        var sync = new CountingSync();
        await using var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync });

        for (int i = 0; i < 20; i++)
        {
            int before = sync.FileSyncs;
            if (i % 3 == 0)
                await log.AppendJsonBatchAsync($"{{\"i\":{i},\"part\":1}}", $"{{\"i\":{i},\"part\":2}}");
            else
                await log.AppendJsonAsync($"{{\"i\":{i}}}");
            Assert.True(sync.FileSyncs > before, $"append {i} was acknowledged without a SyncFile call");
            Assert.Equal(new FileInfo(path).Length, sync.FileLengthsAtSync[^1]);
            Assert.Equal(log.Length, sync.FileLengthsAtSync[^1]);
        }
        Assert.True(sync.FileSyncs >= 20);
    }

    [Fact]
    public async Task Creating_a_log_syncs_its_parent_directory()
    {
        string directory = Path.Combine(_dir.Path, "nested", "dir");
        string path = Path.Combine(directory, "new.log");
        var sync = new CountingSync();

        await using (var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync }))
        {
            Assert.True(File.Exists(path));
            Assert.Contains(Path.GetFullPath(directory), sync.Directories);
            await log.AppendJsonAsync("{\"x\":1}");
        }
    }

    [Fact]
    public async Task Creating_a_log_from_a_relative_path_syncs_the_full_parent_directory()
    {
        string previous = Environment.CurrentDirectory;
        var sync = new CountingSync();
        string relative = Path.GetRelativePath(previous, _dir.File("relative.log"));
        await using (var log = await MiniStoreLog.OpenAsync(relative, new MiniStoreOptions { FileSync = sync }))
            Assert.Equal(_dir.File("relative.log"), log.Path);
        Assert.Contains(_dir.Path, sync.Directories);
    }

    [Fact]
    public async Task Failed_fsync_faults_the_append_naming_the_log_and_cuts_the_record_back_off()
    {
        string path = _dir.File("fail-once.log");
        var sync = new FailingSync();
        await using (var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync }))
        {
            for (int i = 0; i < 3; i++)
                await log.AppendJsonAsync($"{{\"i\":{i}}}");
            long before = new FileInfo(path).Length;

            sync.FailNext(1);
            var e = await Assert.ThrowsAsync<IOException>(() => log.AppendJsonAsync("{\"i\":\"lost\"}"));
            Assert.Contains(path, e.Message);
            Assert.Contains(FailingSync.FailureMessage, e.Message);
            Assert.Equal(before, new FileInfo(path).Length);
            Assert.Equal(before, log.Length);
            Assert.Equal(3, await LogTestHelpers.CountAsync(path));

            // The fault is gone: the same log keeps appending, with no gap and no half record.
            await log.AppendJsonAsync("{\"i\":3}");
            await log.AppendJsonBatchAsync("{\"i\":4}", "{\"i\":5}");
            Assert.Equal(6, await LogTestHelpers.CountAsync(path));
        }

        await using (var log = await MiniStoreLog.OpenAsync(path))
            Assert.Null(log.Repair);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"{{\"i\":{i}}}").ToList(), await LogTestHelpers.ReadJsonAsync(path));
    }

    [Fact]
    public async Task Persistent_fsync_failure_makes_the_log_refuse_appends_until_reopened()
    {
        string path = _dir.File("fail-always.log");
        var sync = new FailingSync();
        await using (var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync }))
        {
            for (int i = 0; i < 3; i++)
                await log.AppendJsonAsync($"{{\"i\":{i}}}");
            long before = new FileInfo(path).Length;

            sync.FailAlways(true);
            var e = await Assert.ThrowsAsync<IOException>(() => log.AppendJsonAsync("{\"i\":\"lost\"}"));
            Assert.Contains(path, e.Message);
            Assert.Equal(before, new FileInfo(path).Length);

            // The rollback could not be made durable either, so the instance refuses further appends.
            var refused = await Assert.ThrowsAsync<IOException>(async () => await log.AppendJsonAsync("{\"i\":\"refused\"}"));
            Assert.Contains(path, refused.Message);
            Assert.Equal(before, new FileInfo(path).Length);
            sync.FailAlways(false);
        }

        await using (var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync }))
        {
            Assert.Null(log.Repair);
            Assert.Equal(3, await LogTestHelpers.CountAsync(path));
            await log.AppendJsonAsync("{\"i\":3}");
        }
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"{{\"i\":{i}}}").ToList(), await LogTestHelpers.ReadJsonAsync(path));
    }

    [Fact]
    public async Task All_appends_sharing_a_failed_fsync_fault_and_none_is_kept()
    {
        string path = _dir.File("fail-group.log");
        var sync = new FailingSync();
        await using (var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync }))
        {
            await log.AppendJsonAsync("{\"i\":0}");
            long before = new FileInfo(path).Length;
            sync.FailNext(1);
            var tasks = Enumerable.Range(0, 20).Select(i => log.AppendJsonAsync($"{{\"lost\":{i}}}")).ToList();
            try { await Task.WhenAll(tasks); } catch (IOException) { }
            int faulted = tasks.Count(t => t.IsFaulted);
            Assert.True(faulted >= 1);
            // Whatever succeeded is in the file after the first record, whole; whatever faulted is not.
            var records = await LogTestHelpers.ReadJsonAsync(path);
            Assert.Equal(1 + tasks.Count(t => t.IsCompletedSuccessfully), records.Count);
            Assert.Equal(log.Length, new FileInfo(path).Length);
            foreach (var (task, i) in tasks.Select((t, i) => (t, i)))
                Assert.Equal(task.IsCompletedSuccessfully, records.Contains($"{{\"lost\":{i}}}"));
            Assert.True(before <= log.Length);
        }
        await using (var log = await MiniStoreLog.OpenAsync(path))
            Assert.Null(log.Repair);
    }

    [Fact]
    public async Task Appending_after_dispose_throws()
    {
        var log = await MiniStoreLog.OpenAsync(_dir.File("disposed.log"));
        await log.AppendJsonAsync("1");
        await log.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.AppendJsonAsync("2"));
    }

    [Fact]
    public async Task An_append_to_a_log_whose_file_was_removed_while_open_fails_naming_it()
    {
        string path = _dir.File("removed.log");
        await using var log = await MiniStoreLog.OpenAsync(path);
        await log.AppendJsonAsync("1");
        File.Delete(path);

        var e = await Assert.ThrowsAsync<IOException>(async () => await log.AppendJsonAsync("2"));
        Assert.Contains(path, e.Message);
        Assert.IsType<FileNotFoundException>(e.InnerException);
    }
}
