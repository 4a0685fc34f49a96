using System.Runtime.InteropServices;
using Akka.Configuration;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// The journal's one owner of open log files and of what it knows about each persistence id. A
/// <see cref="PersistenceIdLog"/> exists here only while an operation runs on it or its file is open; when neither,
/// it is forgotten, and rebuilt from its files on its next use, so memory follows what is live, not how many ids were
/// ever written. Open files are bounded: at most <see cref="KeyedWorkQueue.MaxParallel"/> operations run at once and
/// each holds at most <see cref="HandlesPerOperation"/> files; logs left open between operations (idle) fill the rest
/// of the budget and are closed least recently used first. Operations run one at a time per id (the work queue sees
/// to it), so a log is only ever closed while no operation uses it, never in the middle of a write.
/// </summary>
internal sealed class OpenLogs
{
    /// <summary>Files one operation may hold at once: its log, and the deletion log, a torn tail's copy or a compaction's new file.</summary>
    public const int HandlesPerOperation = 2;

    private readonly object _gate = new();
    private readonly Dictionary<string, PersistenceIdLog> _logs = new();
    private readonly LinkedList<PersistenceIdLog> _idle = new(); // open, no operation running; least recently used first
    private readonly Func<string, PersistenceIdLog> _create;

    public OpenLogs(int budget, int runningOperations, Func<string, PersistenceIdLog> create)
    {
        IdleCapacity = budget - runningOperations * HandlesPerOperation;
        _create = create;
    }

    /// <summary>Logs that may stay open between operations.</summary>
    public int IdleCapacity { get; }

    /// <summary>Open log files right now (a gauge for operators).</summary>
    public int OpenFiles { get { lock (_gate) return _logs.Values.Count(l => l.HoldsFile); } }

    /// <summary>Persistence ids known right now: with an operation running or a file open.</summary>
    public int Known { get { lock (_gate) return _logs.Count; } }

    /// <summary>Runs an operation on a persistence id's log; called by the work queue, one operation per id at a time.</summary>
    public T With<T>(string persistenceId, Func<PersistenceIdLog, T> operation)
    {
        PersistenceIdLog log;
        lock (_gate)
        {
            if (_logs.TryGetValue(persistenceId, out log!))
            {
                if (log.IdleNode is { } node)
                    _idle.Remove(node);
                log.IdleNode = null;
            }
            else
                _logs[persistenceId] = log = _create(persistenceId);
        }
        try
        {
            return operation(log);
        }
        finally
        {
            lock (_gate)
            {
                if (!log.HoldsFile || IdleCapacity <= 0)
                {
                    log.Close();
                    _logs.Remove(persistenceId);
                    Monitor.PulseAll(_gate); // an open waiting for a descriptor may find one now
                }
                else
                {
                    log.IdleNode = _idle.AddLast(log);
                    while (_idle.Count > IdleCapacity)
                        Forget(_idle.First!.Value);
                }
            }
        }
    }

    /// <summary>
    /// Opens a file of a log. When the process is out of file descriptors (EMFILE, ENFILE: other parts of the
    /// application use them too), idle logs are closed and the open is tried again, waiting for running operations to
    /// close theirs, for up to <see cref="DescriptorPatience"/>: a write waits for a descriptor rather than fail.
    /// </summary>
    public TFile Open<TFile>(Func<TFile> open)
    {
        var deadline = DateTime.UtcNow + DescriptorPatience;
        while (true)
        {
            try
            {
                return open();
            }
            catch (IOException e) when (e.HResult is EMFILE or ENFILE && DateTime.UtcNow < deadline)
            {
                lock (_gate)
                {
                    while (_idle.First is { } leastRecent)
                        Forget(leastRecent.Value);
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(50)); // woken when an operation closes a log
                }
            }
        }
    }

    /// <summary>How long an open waits for a file descriptor when the process has none left.</summary>
    public static readonly TimeSpan DescriptorPatience = TimeSpan.FromSeconds(30);

    /// <summary>Closes every idle log (the journal is stopping; no operation runs).</summary>
    public void CloseAll()
    {
        lock (_gate)
            while (_idle.First is { } leastRecent)
                Forget(leastRecent.Value);
    }

    private void Forget(PersistenceIdLog log)
    {
        _idle.Remove(log.IdleNode!);
        log.IdleNode = null;
        log.Close();
        _logs.Remove(log.PersistenceId);
    }

    private const int ENFILE = 23, EMFILE = 24;

    /// <summary>
    /// The file budget: <c>max-open-files</c> when set (else 512), and never more than half of what the process has
    /// left under its own limit (<c>ulimit -n</c>) when the journal starts, the rest staying for sockets, the runtime
    /// and the application.
    /// </summary>
    public static int Budget(int configured, string key)
    {
        int budget = configured > 0 ? configured : 512;
        if (ProcessLimit() is { } soft)
            budget = (int)Math.Min(budget, Math.Max(HandlesPerOperation, (soft - OpenNow()) / 2));
        if (budget < HandlesPerOperation)
            throw new ConfigurationException($"{key} = {configured} is too small: one operation on a log can hold {HandlesPerOperation} files open at once");
        return budget;
    }

    /// <summary>The soft limit on open files of this process, or null where it cannot be read.</summary>
    private static long? ProcessLimit()
    {
        if (OperatingSystem.IsWindows())
            return null;
        var limits = new nint[2]; // struct rlimit { rlim_t soft, hard }: two machine words
        return getrlimit(OperatingSystem.IsLinux() ? 7 : 8, limits) == 0 && limits[0] > 0 ? limits[0] : null;
    }

    /// <summary>The descriptors this process holds now (Linux), else a typical runtime's share.</summary>
    private static long OpenNow()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount() : 128;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 128;
        }
    }

    [DllImport("libc", SetLastError = true)] private static extern int getrlimit(int resource, nint[] limits);
}
