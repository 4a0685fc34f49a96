using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// The shipper's durable position (format: <see cref="ShippedPositions"/>), an append-only MiniStore log: each
/// delivery appends one fsync'd line with what changed; when the log outgrows <see cref="ShippingOptions.PositionCompactBytes"/>
/// the whole state is appended as one atomic batch and everything before it dropped (<see cref="LogCompactor"/>), so a
/// crash at any point leaves the old or the new log, both holding the state. A lock file beside it
/// (<c>&lt;log&gt;.lock</c>) keeps a second shipper of the same target away.
/// </summary>
internal sealed class PositionLog : IDisposable
{
    /// <summary>Ids per line of a full rewrite, so that a line stays far below the largest a log takes.</summary>
    private const int IdsPerLine = 1000;

    private readonly MiniStoreOptions _options;
    private readonly long _compactBytes;
    private readonly StoreLock _lock;
    private MiniStoreLog _log;
    private long _stateBytes; // the size of the whole state, as last rewritten

    private PositionLog(string path, MiniStoreOptions options, long compactBytes, StoreLock storeLock, MiniStoreLog log, ShippedPositions state)
    {
        Path = path;
        _options = options;
        _compactBytes = compactBytes;
        _lock = storeLock;
        _log = log;
        State = state;
    }

    public string Path { get; }

    /// <summary>The positions as recorded (last value per id).</summary>
    public ShippedPositions State { get; }

    public static PositionLog Open(string path, MiniStoreOptions options, long compactBytes, string owner)
    {
        path = System.IO.Path.GetFullPath(path);
        string directory = System.IO.Path.GetDirectoryName(path)!;
        DurableDirectory.Create(directory, options.FileSync, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // owner only, as the store's own directories
        StoreLock storeLock;
        try
        {
            storeLock = StoreLock.Acquire(directory, System.IO.Path.GetFileName(path) + ".lock", owner, options);
        }
        catch (StoreLockedException e)
        {
            throw new ShippingException($"Another shipper already ships with the position log '{path}' ({e.Message}). One shipper per target and position log.", e);
        }
        try
        {
            LogCompactor.RemoveLeftover(path);
            var log = MiniStoreLog.Open(path, options);
            log.RepairTail();
            var state = new ShippedPositions();
            foreach (var line in log.Read())
                state.Apply(line, path);
            return new PositionLog(path, options, compactBytes, storeLock, log, state);
        }
        catch
        {
            storeLock.Dispose();
            throw;
        }
    }

    /// <summary>Appends one delivery (fsync'd before this returns) and applies it to <see cref="State"/>.</summary>
    public void Record(long ordering, IReadOnlyCollection<KeyValuePair<string, long>> events, IReadOnlyCollection<KeyValuePair<string, long>> snapshots)
    {
        _log.Append(ShippedPositions.Line(ordering, events, snapshots));
        State.Apply(ordering, events, snapshots);
        if (_log.Length > Math.Max(_compactBytes, 4 * _stateBytes)) // a large state is not rewritten at every delivery
            Compact();
    }

    /// <summary>Appends the whole state as one atomic batch, then drops every line before it.</summary>
    private void Compact()
    {
        var state = State;
        var lines = new List<ReadOnlyMemory<byte>>();
        var ids = state.Events.Keys.Union(state.Snapshots.Keys).Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
            lines.Add(ShippedPositions.Line(state.Ordering, [], []));
        foreach (var chunk in ids.Chunk(IdsPerLine))
            lines.Add(ShippedPositions.Line(state.Ordering,
                chunk.Where(state.Events.ContainsKey).Select(id => KeyValuePair.Create(id, state.Events[id])).ToList(),
                chunk.Where(state.Snapshots.ContainsKey).Select(id => KeyValuePair.Create(id, state.Snapshots[id])).ToList()));
        long cut = _log.Length;
        _log.Append(lines);
        LogCompactor.DropPrefix(_log, cut);
        _log.Dispose();
        _log = MiniStoreLog.Open(Path, _options);
        _stateBytes = _log.Length;
    }

    public void Dispose()
    {
        _log.Dispose();
        _lock.Dispose();
    }
}
