using System.Text.Json;
using Xunit.Abstractions;

namespace MiniStore.Tests;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;

    public ConcurrencyTests(ITestOutputHelper output) => _output = output;
    public void Dispose() => _dir.Dispose();

    public sealed record Entry(int Task, int Seq);

    [Fact]
    public async Task Sixteen_concurrent_appenders_all_replay_each_in_its_own_order_with_group_commit()
    {
        const int Tasks = 16, PerTask = 200;
        string path = _dir.File("concurrent.log");
        var sync = new CountingSync();
        int completed = 0;

        await using (var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync }))
        {
            int syncsAtOpen = sync.FileSyncs;
            using var start = new ManualResetEventSlim(false);
            var workers = Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
            {
                start.Wait();
                for (int i = 0; i < PerTask; i++)
                {
                    await log.AppendAsync(new Entry(t, i));
                    Interlocked.Increment(ref completed);
                }
            })).ToArray();
            start.Set();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2));

            int syncs = sync.FileSyncs - syncsAtOpen;
            _output.WriteLine($"{Tasks * PerTask} appends took {syncs} file syncs");
            Assert.Equal(Tasks * PerTask, completed);
            Assert.Equal(Tasks * PerTask, await LogTestHelpers.CountAsync(path));
            Assert.True(syncs >= 1);
            Assert.True(syncs <= Tasks * PerTask, $"{syncs} syncs for {Tasks * PerTask} appends");
            Assert.Equal(new FileInfo(path).Length, log.Length);
        }

        var replayed = new List<Entry>();
        await foreach (var e in MiniStoreLog.ReplayAsync<Entry>(path))
            replayed.Add(e);

        Assert.Equal(Tasks * PerTask, replayed.Count);
        Assert.Equal(Tasks * PerTask, replayed.Distinct().Count());
        foreach (var group in replayed.GroupBy(e => e.Task))
            Assert.Equal(Enumerable.Range(0, PerTask), group.Select(e => e.Seq));
        Assert.Equal(Enumerable.Range(0, Tasks), replayed.Select(e => e.Task).Distinct().Order());
    }

    [Fact]
    public async Task Concurrent_batches_stay_contiguous()
    {
        const int Tasks = 8, Batches = 50, BatchSize = 4;
        string path = _dir.File("batches.log");
        await using (var log = await MiniStoreLog.OpenAsync(path))
        {
            await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
            {
                for (int b = 0; b < Batches; b++)
                    await log.AppendBatchAsync(Enumerable.Range(0, BatchSize).Select(k => new Entry(t, b * BatchSize + k)));
            })));
        }

        var replayed = new List<Entry>();
        await foreach (var e in MiniStoreLog.ReplayAsync<Entry>(path))
            replayed.Add(e);
        Assert.Equal(Tasks * Batches * BatchSize, replayed.Count);
        for (int i = 0; i < replayed.Count; i += BatchSize)
        {
            var chunk = replayed.Skip(i).Take(BatchSize).ToList();
            Assert.All(chunk, e => Assert.Equal(chunk[0].Task, e.Task));
            Assert.Equal(Enumerable.Range(chunk[0].Seq, BatchSize), chunk.Select(e => e.Seq));
        }
        foreach (var group in replayed.GroupBy(e => e.Task))
            Assert.Equal(Enumerable.Range(0, Batches * BatchSize), group.Select(e => e.Seq));
    }

    [Fact]
    public async Task Appends_queued_during_an_fsync_share_the_next_single_fsync()
    {
        string path = _dir.File("group.log");
        var sync = new BlockingSync();
        await using var log = await MiniStoreLog.OpenAsync(path, new MiniStoreOptions { FileSync = sync });
        Assert.Equal(0, sync.FileSyncs);

        try
        {
            // With no write in flight the first append is written on its caller's thread, so it is started on its own.
            Task first = Task.Run(() => log.AppendJsonAsync("{\"i\":0}"));
            Assert.True(await sync.WaitUntilBlockedAsync(TimeSpan.FromSeconds(10)), "first append never reached its fsync");

            // These find a write in flight: they queue and return at once, to be written together by a background task.
            var queued = Enumerable.Range(1, 10).Select(i => log.AppendJsonAsync($"{{\"i\":{i}}}")).ToList();
            await Task.Delay(100);
            Assert.False(first.IsCompleted);
            Assert.All(queued, t => Assert.False(t.IsCompleted));

            sync.Release();
            await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

            // One fsync for the first append, one for all ten that queued behind it.
            Assert.Equal(2, sync.FileSyncs);
            Assert.Equal(11, await LogTestHelpers.CountAsync(path));
            Assert.Equal(Enumerable.Range(0, 11).Select(i => $"{{\"i\":{i}}}").ToList(), await LogTestHelpers.ReadJsonAsync(path));
        }
        finally
        {
            sync.Release(); // so that a failed assertion does not leave disposal waiting on a held sync
        }
    }
}
