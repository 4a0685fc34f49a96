using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;

namespace MiniStore.Benchmarks;

public sealed record Stored(int N);
internal sealed record Write(int Count, int BatchSize, TaskCompletionSource Done);
internal sealed record TakeSnapshot(TaskCompletionSource Done);
internal sealed record Recovered(long Events, long SnapshotSequenceNr);

/// <summary>A persistent actor that counts what it recovers, then persists on command (one by one, or in PersistAll batches).</summary>
internal sealed class BenchActor : ReceivePersistentActor
{
    private long _events;
    private long _snapshotSequenceNr;
    private TaskCompletionSource? _snapshotSaved;

    public BenchActor(string persistenceId, Recovery recovery, TaskCompletionSource<Recovered> recovered)
    {
        PersistenceId = persistenceId;
        Recovery = recovery;
        Recover<SnapshotOffer>(offer => _snapshotSequenceNr = offer.Metadata.SequenceNr);
        Recover<Stored>(_ => _events++);
        Recover<RecoveryCompleted>(_ => recovered.TrySetResult(new Recovered(_events, _snapshotSequenceNr)));
        Command<Write>(w => WriteEvents(w));
        Command<TakeSnapshot>(t => { _snapshotSaved = t.Done; SaveSnapshot(_events); });
        Command<SaveSnapshotSuccess>(_ => _snapshotSaved?.TrySetResult());
        Command<SaveSnapshotFailure>(f => _snapshotSaved?.TrySetException(f.Cause));
    }

    public override string PersistenceId { get; }
    public override Recovery Recovery { get; }

    private void WriteEvents(Write w)
    {
        int written = 0;
        if (w.BatchSize == 1)
        {
            void Next() => Persist(new Stored(written), _ => { _events++; if (++written == w.Count) w.Done.TrySetResult(); else Next(); });
            Next();
            return;
        }
        for (int from = 0; from < w.Count; from += w.BatchSize)
            PersistAll(Enumerable.Range(from, Math.Min(w.BatchSize, w.Count - from)).Select(i => new Stored(i)), _ => { _events++; if (++written == w.Count) w.Done.TrySetResult(); });
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) => throw new InvalidOperationException($"persist failed at {sequenceNr}", cause);
}

/// <summary>Actor systems for one journal in one scenario: a fresh one each time, except for the in-memory journal, whose data lives in its system.</summary>
internal sealed class Systems(Journal journal, string directory) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private ActorSystem? _kept;

    public async Task<T> RunAsync<T>(Func<ActorSystem, Task<T>> scenario)
    {
        if (!journal.KeepsDataAcrossSystems)
            return await scenario(_kept ??= ActorSystem.Create("bench", journal.ConfigFor(directory)));
        var system = ActorSystem.Create("bench", journal.ConfigFor(directory));
        try { return await scenario(system); }
        finally { await system.Terminate(); }
    }

    /// <summary>Starts an actor and waits for its recovery; returns it, what it recovered and the seconds recovery took.</summary>
    public static async Task<(IActorRef Actor, Recovered Recovered, double Seconds)> StartAsync(ActorSystem system, string persistenceId, Recovery? recovery = null)
    {
        var recovered = new TaskCompletionSource<Recovered>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Stopwatch.StartNew();
        var actor = system.ActorOf(Props.Create(() => new BenchActor(persistenceId, recovery ?? Recovery.Default, recovered)));
        var result = await recovered.Task.WaitAsync(Timeout);
        return (actor, result, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Persists <paramref name="count"/> events with each actor at once; returns the seconds until all are acknowledged.</summary>
    public static async Task<double> WriteAsync(IReadOnlyList<IActorRef> actors, int count, int batchSize)
    {
        var watch = Stopwatch.StartNew();
        var writes = actors.Select(actor =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            actor.Tell(new Write(count, batchSize, done));
            return done.Task;
        }).ToList();
        await Task.WhenAll(writes).WaitAsync(Timeout);
        return watch.Elapsed.TotalSeconds;
    }

    public static async Task SnapshotAsync(IActorRef actor)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(new TakeSnapshot(done));
        await done.Task.WaitAsync(Timeout);
    }

    public static Task StopAsync(IEnumerable<IActorRef> actors) => Task.WhenAll(actors.Select(a => a.GracefulStop(Timeout)));

    public async ValueTask DisposeAsync()
    {
        if (_kept is not null) await _kept.Terminate();
    }
}
