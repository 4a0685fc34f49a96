using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;

namespace MiniStore.Benchmarks;

public sealed record Stored(int N);

/// <summary>One persistent actor that persists N events (one by one, or in PersistAll batches) and reports when done.</summary>
internal sealed class Writer : ReceivePersistentActor
{
    private int _recovered;

    public Writer(string persistenceId, int count, int batchSize, TaskCompletionSource<int> done)
    {
        PersistenceId = persistenceId;
        Recover<Stored>(_ => _recovered++);
        Recover<RecoveryCompleted>(_ => { if (count == 0) done.TrySetResult(_recovered); });
        Command<string>(_ =>
        {
            int written = 0;
            if (batchSize == 1)
            {
                void Next() => Persist(new Stored(written), _ => { if (++written == count) done.TrySetResult(written); else Next(); });
                Next();
            }
            else
            {
                for (int b = 0; b < count / batchSize; b++)
                    PersistAll(Enumerable.Range(b * batchSize, batchSize).Select(i => new Stored(i)), _ => { if (++written == count) done.TrySetResult(written); });
            }
        });
    }

    public override string PersistenceId { get; }
}

internal static class PersistScenario
{
    public static async Task RunAsync(Config config, int count, int batchSize, string? persistenceId = null)
    {
        using var system = ActorSystem.Create("bench", config);
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = system.ActorOf(Props.Create(() => new Writer(persistenceId ?? "writer-" + Guid.NewGuid().ToString("N"), count, batchSize, done)));
        writer.Tell("go");
        await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        await system.Terminate();
    }

    public static async Task RecoverAsync(Config config, int expected)
    {
        using var system = ActorSystem.Create("bench", config);
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new Writer("recovery", 0, 1, done)));
        int recovered = await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        if (recovered != expected) throw new InvalidOperationException($"recovered {recovered} of {expected}");
        await system.Terminate();
    }
}
