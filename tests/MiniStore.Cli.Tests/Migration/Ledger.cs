using Akka;
using Akka.Actor;

namespace MiniStore.Cli.Tests.Migration;

/// <summary>The ledgers the migration tests write and recover: <see cref="Recorder"/>s of "v1", "v2", ... tagged by <see cref="TagsOf"/>.</summary>
internal static class Ledger
{
    /// <summary>"v12" is tagged "even" and "three"; "v7" has no tag.</summary>
    public static string[] TagsOf(string value)
    {
        int n = int.Parse(value[1..]);
        return new[] { n % 2 == 0 ? "even" : null, n % 3 == 0 ? "three" : null }.OfType<string>().ToArray();
    }

    public static IEnumerable<string> Values(int from, int count) => Enumerable.Range(from, count).Select(i => $"v{i}");

    private static IActorRef Start(ActorSystem system, string persistenceId) => system.ActorOf(Props.Create(() => new Recorder(persistenceId, TagsOf)));

    public static async Task AppendAsync(ActorSystem system, string persistenceId, IEnumerable<string> values, int chunk = 500)
    {
        var ledger = Start(system, persistenceId);
        foreach (var part in values.Chunk(chunk))
            await ledger.Ask<Done>(new Recorder.RecordAll(part), TimeSpan.FromSeconds(60));
        await ledger.GracefulStop(TimeSpan.FromSeconds(10));
    }

    public static async Task SnapshotAndDeleteToAsync(ActorSystem system, string persistenceId, long sequenceNr)
    {
        var ledger = Start(system, persistenceId);
        await ledger.Ask<Done>(new Recorder.SnapshotAndDeleteTo(sequenceNr), TimeSpan.FromSeconds(30));
        await ledger.GracefulStop(TimeSpan.FromSeconds(10));
    }

    /// <summary>The state the actor recovers to in <paramref name="system"/>.</summary>
    public static async Task<string[]> RecoverAsync(ActorSystem system, string persistenceId)
    {
        var ledger = Start(system, persistenceId);
        var state = await ledger.Ask<string[]>(new Recorder.GetState(), TimeSpan.FromSeconds(60));
        await ledger.GracefulStop(TimeSpan.FromSeconds(10));
        return state;
    }
}
