using System.Collections.Concurrent;
using Akka.Actor;

namespace Akka.Persistence.MiniStore.Storage;

/// <summary>
/// How a journal tells read-side queries in the same actor system about its event index: <see cref="Ready"/> once the
/// index is caught up with the logs, <see cref="Changed"/> each time entries were appended. Queries still read the
/// index itself; a signal only wakes them before their refresh-interval is up.
/// </summary>
public sealed class IndexSignal
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready => _ready.Task;

    /// <summary>Completes at the next append.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    internal void SetReady() => _ready.TrySetResult();

    internal void SetFailed(Exception e) => _ready.TrySetException(e);

    internal void Notify() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>The <see cref="IndexSignal"/> of each journal directory in an actor system.</summary>
public sealed class IndexSignals : IExtension
{
    private readonly ConcurrentDictionary<string, IndexSignal> _signals = new();

    public IndexSignal For(string journalDirectory) => _signals.GetOrAdd(Path.GetFullPath(journalDirectory), _ => new IndexSignal());

    public static IndexSignals Get(ActorSystem system) => system.WithExtension<IndexSignals, IndexSignalsProvider>();
}

public sealed class IndexSignalsProvider : ExtensionIdProvider<IndexSignals>
{
    public override IndexSignals CreateExtension(ExtendedActorSystem system) => new();
}
