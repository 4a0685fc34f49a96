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
/// work finds none idle and sleep (no spinning) when there is none.
/// </para>
/// </summary>
internal sealed class KeyedWorkQueue : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Queue<Action>> _keys = new(); // keys with work queued or running, and what waits
    private readonly Queue<string> _ready = new();                    // keys with work and none running, first come first served
    private readonly string _threadName;
    private int _busy;    // keys running now, on a worker or inline
    private int _threads;
    private int _idle;    // waiting threads that no pulse was sent to yet
    private int _queued;
    private bool _stopped;

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
        while (true)
        {
            string key;
            Queue<Action> items;
            lock (_gate)
            {
                while (_ready.Count == 0 || _busy >= MaxParallel)
                {
                    if (_stopped && _ready.Count == 0)
                    {
                        _threads--;
                        return;
                    }
                    _idle++;
                    Monitor.Wait(_gate);
                }
                key = _ready.Dequeue();
                items = _keys[key];
                _busy++;
            }
            // A few items of the key, then the next key gets its turn.
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
    }

    /// <summary>After a turn of <paramref name="key"/>: forgets it when nothing waits, else puts it back in line.</summary>
    private void Finished(string key)
    {
        if (_keys[key].Count > 0)
            _ready.Enqueue(key);
        else if (_keys.Remove(key) && _keys.Count == 0 && _stopped)
            Monitor.PulseAll(_gate); // Drain waits for this
    }

    private void WakeOne()
    {
        if (_idle > 0)
        {
            _idle--;
            Monitor.Pulse(_gate);
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
            Monitor.PulseAll(_gate);
        }
    }
}
