using Akka.Actor;
using Akka.Persistence.MiniStore.Tests.Journal;
using MiniStore;
using Xunit;
using Xunit.Abstractions;
using static Akka.Persistence.MiniStore.Tests.Faults.FaultProbeActor;

namespace Akka.Persistence.MiniStore.Tests.Faults;

/// <summary>
/// Base of the fault tests: a store (in <c>directory</c>, or a fresh temporary one) and helpers that drive
/// <see cref="FaultProbeActor"/>s and check what every fault test demands: the failure names the persistence id and
/// the file, no half record stays in a file, and recovery afterwards has no gap.
/// </summary>
public abstract class FaultTestBase : MiniStoreSpec
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    protected static readonly string BigEvent = new('x', 16 * 1024); // more than the free bytes of a log's last page

    protected FaultTestBase(ITestOutputHelper output, string? directory) : base(output, JournalTestKit.Config, directory) { }

    protected IActorRef Start(string pid) => Sys.ActorOf(FaultProbeActor.Props(pid, TestActor));

    /// <summary>
    /// Starts an incarnation of <paramref name="pid"/> and checks it recovers to <paramref name="highest"/>, replaying
    /// <paramref name="expected"/> (default: every sequence number after its snapshot, if any, up to the highest).
    /// </summary>
    protected IActorRef Recover(string pid, long highest, params long[] expected)
    {
        var actor = Start(pid);
        var recovered = ExpectMsg<Recovered>(Wait);
        Assert.Equal(highest, recovered.LastSequenceNr);
        long first = (recovered.SnapshotAt ?? 0) + 1;
        var replayed = recovered.Events.Select(e => e.Seq);
        Assert.Equal(expected.Length > 0 ? expected : Enumerable.Range((int)first, (int)(highest - first + 1)).Select(i => (long)i), replayed);
        return actor;
    }

    protected void Persist(IActorRef actor, params string[] events)
    {
        foreach (string e in events)
        {
            actor.Tell(e);
            Assert.Equal(e, ExpectMsg<Persisted>(Wait).Event);
        }
    }

    protected static void AssertNames(string message, params string[] parts)
    {
        foreach (string part in parts)
            Assert.True(message.Contains(part, StringComparison.Ordinal), $"the error does not say \"{part}\":\n{message}");
    }

    /// <summary>The file holds exactly <paramref name="records"/> complete records and nothing else: no half record.</summary>
    protected static async Task AssertWholeRecordsAsync(string path, int records)
    {
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length == 0 || bytes[^1] == '\n', $"'{path}' ends in the middle of a line");
        using var log = MiniStoreLog.Open(path, readOnly: true);
        int read = log.Read().Count();
        Assert.Equal(records, read);
        Assert.Equal(records, bytes.Count(b => b == '\n'));
    }
}
