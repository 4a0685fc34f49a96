using Akka.Configuration;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// Bounds the file handles the journal holds in its directory (<c>max-open-files</c>), however many persistence ids
/// it serves. An operation on a persistence id reserves <see cref="HandlesPerOperation"/> handles while it runs; when
/// it ends its log stays open on one of them, and open logs without a running operation are closed when handles are
/// needed, least recently used first, and reopened (and checked again) on their next use. Only a log with no operation
/// running is ever closed, so closing never cuts into a write: everything acknowledged was fsync'd before. An operation
/// that finds too few handles free waits its turn, first holding none, so waiting operations never block each other.
/// </summary>
internal sealed class OpenFileBudget
{
    /// <summary>
    /// Handles one operation may hold at once: the event log, and while opening it a reader and a third handle (for
    /// its last line, or for the copy of a torn tail); while deleting, the event log plus the deletion log's three.
    /// </summary>
    public const int HandlesPerOperation = 4;

    private readonly object _gate = new();
    private readonly LinkedList<PersistenceIdLog> _idle = new();   // open logs with no operation running, least recently used first
    private readonly LinkedList<Waiter> _waiting = new();           // operations waiting for handles, first come first served
    private int _free;

    public OpenFileBudget(int maxOpenFiles, string key)
    {
        if (maxOpenFiles < HandlesPerOperation)
            throw new ConfigurationException($"{key} = {maxOpenFiles} is too small: one operation on a log can hold {HandlesPerOperation} files open at once");
        MaxOpenFiles = maxOpenFiles;
        _free = maxOpenFiles;
    }

    public int MaxOpenFiles { get; }

    /// <summary>Completes once <paramref name="log"/> may run an operation (one at a time per log); pair with <see cref="End"/>.</summary>
    public Task BeginAsync(PersistenceIdLog log)
    {
        lock (_gate)
        {
            int need = HandlesPerOperation;
            if (log.IdleNode is { } open)
            {
                _idle.Remove(open);
                log.IdleNode = null;
                need--; // its log already holds one
            }
            if (_waiting.Count == 0 && TryTake(need))
                return Task.CompletedTask;
            if (need < HandlesPerOperation)
            {
                // Give back the handle of its own open log while waiting, so that a waiting operation holds none.
                log.CloseFiles();
                _free++;
                need++;
            }
            var waiter = new Waiter(need);
            _waiting.AddLast(waiter);
            GrantWaiting();
            return waiter.Granted.Task;
        }
    }

    /// <summary>Ends an operation: its log stays open, as the most recently used, on one handle; a log without an open file (a replay closes it) holds none.</summary>
    public void End(PersistenceIdLog log)
    {
        lock (_gate)
        {
            if (log.HoldsOpenFile)
            {
                _free += HandlesPerOperation - 1;
                log.IdleNode = _idle.AddLast(log);
            }
            else
                _free += HandlesPerOperation;
            GrantWaiting();
        }
    }

    /// <summary>Closes a log with no operation running (the journal is stopping).</summary>
    public void Close(PersistenceIdLog log)
    {
        lock (_gate)
        {
            if (log.IdleNode is { } open)
            {
                _idle.Remove(open);
                log.IdleNode = null;
                _free++;
            }
            log.CloseFiles();
            GrantWaiting();
        }
    }

    private void GrantWaiting()
    {
        while (_waiting.First is { } first && TryTake(first.Value.Need))
        {
            _waiting.RemoveFirst();
            first.Value.Granted.TrySetResult();
        }
    }

    /// <summary>Takes <paramref name="need"/> handles, closing least recently used idle logs as needed.</summary>
    private bool TryTake(int need)
    {
        while (_free < need && _idle.First is { } leastRecent)
        {
            _idle.RemoveFirst();
            leastRecent.Value.IdleNode = null;
            leastRecent.Value.CloseFiles();
            _free++;
        }
        if (_free < need)
            return false;
        _free -= need;
        return true;
    }

    private sealed class Waiter(int need)
    {
        public int Need { get; } = need;
        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
