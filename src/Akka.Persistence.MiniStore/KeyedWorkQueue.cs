namespace Akka.Persistence.MiniStore;

/// <summary>
/// The one place that orders and runs the store's file work. Work is queued per key (a persistence id) and runs one
/// item at a time per key, in the order queued, so writes land in call order and a read sees every write queued
/// before it. Different keys run in parallel on up to <see cref="MaxParallel"/> dedicated threads: a write blocks its
/// thread in fsync for as long as the disk takes, which on the .NET thread pool would starve the actors sharing it,
/// while here the fsyncs of different files run side by side (the disk serves them together). The bound is also what
/// keeps the file handles within their budget: at most that many operations hold handles at once.
/// <para>
/// A caller with nothing else to do may run an item on its own thread when its key is idle and a slot is free
/// (<c>inline</c>): a lone write is then written and fsync'd with no thread hop at all. A key is known only while it
/// has work queued or running, so the queue holds nothing for the thousands of ids that are idle. Threads start when
/// work finds none idle, sleep (no spinning) when there is none, and end after <see cref="IdleTimeout"/> without work,
/// so a burst (a fleet recovering at start) leaves no threads behind on a small device.
/// </para>
/// </summary>
internal sealed class KeyedWorkQueue : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Queue<Action>> _keys = new(); // keys with work queued or running, and what waits
    private readonly Queue<string> _ready = new();                    // keys with work and none running, first come first served
    private readonly LinkedList<SemaphoreSlim> _idle = new();           // sleeping threads, each woken by its own semaphore
    private readonly string _threadName;
    private int _busy;    // keys running now, on a worker or inline
    private int _threads;
    private int _queued;
    private bool _stopped;

    /// <summary>How long a thread waits for work before it ends.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    public KeyedWorkQueue(int maxParallel, string threadName)
    {
        MaxParallel = maxParallel;
        _threadName = threadName;
    }

    /// <summary>Most keys whose work runs at once.</summary>
    public int MaxParallel { get; }

    /// <summary>Items queued and not yet started (a gauge for operators).</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>
    /// Runs <paramref name="work"/> after every item queued before it for <paramref name="key"/>. The task completes on
    /// the thread that ran the work (no further hop). With <paramref name="inline"/>, work whose key is idle runs at once
    /// on the caller's thread when nothing else runs: a lone item has nothing to run beside.
    /// </summary>
    public Task<T> Run<T>(string key, Func<T> work, bool inline = false)
    {
        var done = new TaskCompletionSource<T>();
        void Item()
        {
            try { done.TrySetResult(work()); }
            catch (Exception e) { done.TrySetException(e); }
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_keys.TryGetValue(key, out var waiting))
            {
                waiting.Enqueue(Item);
                _queued++;
                return done.Task;
            }
            _keys[key] = new Queue<Action>();
            if (!inline || _busy > 0)
            {
                _keys[key].Enqueue(Item);
                _queued++;
                _ready.Enqueue(key);
                WakeOne();
                return done.Task;
            }
            _busy++;
        }
        Item();
        lock (_gate)
        {
            _busy--;
            Finished(key);
            if (_ready.Count > 0)
                WakeOne();
        }
        return done.Task;
    }

    private void Serve()
    {
        var wake = new SemaphoreSlim(0);
        while (true)
        {
            string? key = null;
            LinkedListNode<SemaphoreSlim>? sleeping = null;
            lock (_gate)
            {
                if (_ready.Count > 0 && _busy < MaxParallel)
                {
                    key = _ready.Dequeue();
                    _busy++;
                }
                else if (_stopped)
                {
                    _threads--;
                    return;
                }
                else
                    sleeping = _idle.AddLast(wake);
            }
            if (key is not null)
                RunTurn(key);
            else if (!wake.Wait(IdleTimeout) && !WokenAfterAll(wake, sleeping!))
                return;
        }
    }

    /// <summary>A few items of the key, then the next key gets its turn.</summary>
    private void RunTurn(string key)
    {
        Queue<Action> items;
        lock (_gate)
            items = _keys[key];
        for (int turn = 0; turn < 16; turn++)
        {
            Action item;
            lock (_gate)
            {
                if (!items.TryDequeue(out item!))
                    break;
                _queued--;
            }
            item();
        }
        lock (_gate)
        {
            _busy--;
            Finished(key);
        }
    }

    /// <summary>After a sleep that timed out: false (the thread ends) when no work woke it meanwhile.</summary>
    private bool WokenAfterAll(SemaphoreSlim wake, LinkedListNode<SemaphoreSlim> sleeping)
    {
        lock (_gate)
        {
            if (sleeping.List is not null)
            {
                _idle.Remove(sleeping);
                _threads--;
                return false;
            }
        }
        wake.Wait(0); // woken just as the wait ended: take the signal, and look for work
        return true;
    }

    /// <summary>After a turn of <paramref name="key"/>: forgets it when nothing waits, else puts it back in line.</summary>
    private void Finished(string key)
    {
        if (_keys[key].Count > 0)
            _ready.Enqueue(key);
        else if (_keys.Remove(key) && _keys.Count == 0 && _stopped)
            Monitor.PulseAll(_gate); // Drain waits for this
    }

    /// <summary>Wakes a sleeping thread, or starts one while there are fewer than <see cref="MaxParallel"/>.</summary>
    private void WakeOne()
    {
        if (_idle.First is { } sleeping)
        {
            _idle.RemoveFirst();
            sleeping.Value.Release();
        }
        else if (_threads < MaxParallel)
        {
            _threads++;
            new Thread(Serve) { IsBackground = true, Name = _threadName }.Start();
        }
    }

    /// <summary>After <see cref="Dispose"/>: waits until the work queued before has run; false when it took longer than <paramref name="timeout"/>.</summary>
    public bool Drain(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
            while (_keys.Count > 0)
                if (deadline <= DateTime.UtcNow || !Monitor.Wait(_gate, deadline - DateTime.UtcNow))
                    return _keys.Count == 0;
        return true;
    }

    /// <summary>Lets the threads finish the queued work, then stop; no new work is taken.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            while (_idle.First is not null)
                WakeOne();
        }
    }
}
