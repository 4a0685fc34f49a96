using System.Collections.Concurrent;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// Dedicated threads on which the journal's appends write and fsync. An fsync blocks its thread for as long as the
/// disk takes; on the .NET thread pool that would starve the actors sharing it (and grow the pool slowly), and on the
/// journal's own thread it would serialize the fsyncs of different files. Here up to <see cref="MaxThreads"/> appends
/// to different files fsync in parallel (the file system commits concurrent fsyncs together), and an append's
/// acknowledgement continues on the thread that fsync'd it, with no further hop.
/// Threads start when work finds none idle, up to the maximum, and stop when the journal stops.
/// </summary>
internal sealed class WriteThreads : IDisposable
{
    /// <summary>Enough to keep a consumer SSD or eMMC busy; more parallel fsyncs gain little.</summary>
    public const int MaxThreads = 32;

    private readonly BlockingCollection<Action> _work = new();
    private readonly object _gate = new();
    private int _threads;
    private int _idle;

    /// <summary>Starts <paramref name="operation"/> on a write thread; the task completes where the operation does.</summary>
    public Task Run(Func<Task> operation)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.None);
        _work.Add(() =>
        {
            try
            {
                operation().ContinueWith(static (t, state) =>
                {
                    var done = (TaskCompletionSource)state!;
                    if (t.IsFaulted) done.TrySetException(t.Exception!.InnerExceptions);
                    else if (t.IsCanceled) done.TrySetCanceled();
                    else done.TrySetResult();
                }, done, TaskContinuationOptions.ExecuteSynchronously);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        lock (_gate)
        {
            if (_idle == 0 && _threads < MaxThreads)
            {
                _threads++;
                new Thread(Serve) { IsBackground = true, Name = "ministore-write" }.Start();
            }
        }
        return done.Task;
    }

    private void Serve()
    {
        while (true)
        {
            lock (_gate) _idle++;
            bool taken = _work.TryTake(out var work, Timeout.Infinite);
            lock (_gate) _idle--;
            if (!taken) return; // completed: the journal stopped
            work!();
        }
    }

    public void Dispose() => _work.CompleteAdding();
}
