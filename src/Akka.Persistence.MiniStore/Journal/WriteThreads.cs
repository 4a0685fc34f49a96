using Akka.Configuration;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// Dedicated threads on which the journal's appends write and fsync. An fsync blocks its thread for as long as the
/// disk takes; on the .NET thread pool that would starve the actors sharing it (and grow the pool slowly), and on the
/// journal's own thread it would serialize the fsyncs of different files. Here up to <see cref="MaxThreads"/> appends
/// to different files fsync in parallel (the disk and file system serve concurrent fsyncs together), and an append's
/// acknowledgement continues on the thread that fsync'd it, with no further hop.
/// Threads start when work finds none idle, up to the maximum, and stop when the journal stops. An idle thread sleeps
/// on a monitor rather than spinning: on a small machine a spinning thread takes the CPU the fsyncs need.
/// </summary>
internal sealed class WriteThreads : IDisposable
{
    /// <summary>The default of <c>write-threads</c>: enough to keep a consumer SSD or eMMC busy; more parallel fsyncs gain little.</summary>
    public const int DefaultMaxThreads = 32;

    private readonly Queue<Action> _work = new();   // also the monitor every field below is guarded by
    private int _threads;
    private int _idle;      // threads waiting for work that no Pulse has been sent to yet
    private bool _stopped;

    public WriteThreads(int maxThreads, string key = "write-threads")
    {
        if (maxThreads < 1)
            throw new ConfigurationException($"{key} = {maxThreads} is too small: at least one thread must write");
        MaxThreads = maxThreads;
    }

    public int MaxThreads { get; }

    /// <summary>Starts <paramref name="operation"/> on a write thread; the task completes where the operation does.</summary>
    public Task Run(Func<Task> operation)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.None);
        void Work()
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
        }
        lock (_work)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            _work.Enqueue(Work);
            if (_idle > 0)
            {
                _idle--;
                Monitor.Pulse(_work);
            }
            else if (_threads < MaxThreads)
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
            Action work;
            lock (_work)
            {
                while (_work.Count == 0)
                {
                    if (_stopped)
                        return;
                    _idle++;
                    Monitor.Wait(_work);
                }
                work = _work.Dequeue();
            }
            work();
        }
    }

    /// <summary>Lets the threads finish the queued work, then stop.</summary>
    public void Dispose()
    {
        lock (_work)
        {
            _stopped = true;
            Monitor.PulseAll(_work);
        }
    }
}
