using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// A fleet of actors that recover and then sit idle costs the journal no file handles: a replay closes the log it
/// read, and the first write afterwards reopens it. Counted in /proc/self/fd.
/// </summary>
public class IdleRecoveredActorsTests : MiniStoreSpec
{
    private const int Actors = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly ActorFleet Fleet = new("idle-", Actors, Patience);

    public IdleRecoveredActorsTests(ITestOutputHelper output) : base(output) { }

    [SkippableFact]
    public void Recovered_actors_hold_no_open_log_until_they_write_and_then_replay_everything_in_order()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the open files are counted in /proc/self/fd, which only Linux has");
        string journalFiles = JournalDirectory.TrimEnd('/') + "/";
        int OpenFiles() => HandleSampler.Count(journalFiles);
        RunGeneration("idle-first", 1, () => { });
        RunGeneration("idle-second", 2, afterRecovery: () =>
        {
            // Only the lock file and the event index stay open: none of the 20 logs just replayed. (Waited for: the
            // event index's catch-up at the journal's start reads the end of every log, briefly, in the background.)
            AwaitAssert(() => Assert.True(OpenFiles() <= 2, $"{OpenFiles()} files open in the journal directory after {Actors} actors recovered and did nothing"), TimeSpan.FromSeconds(10));
        }, afterWrite: () => Assert.True(OpenFiles() >= Actors, $"{OpenFiles()} files open after {Actors} actors wrote: written logs stay open, so the count sees them"));
        RunGeneration("idle-third", 3, () => { });

        void RunGeneration(string systemName, int generation, Action afterRecovery, Action? afterWrite = null)
        {
            var system = ActorSystem.Create(systemName, Configuration(StoreDirectory));
            try
            {
                var reporter = CreateTestProbe(system);
                var actors = Fleet.Recover(system, reporter, generation);
                afterRecovery();
                Fleet.Persist(actors, reporter, generation);
                afterWrite?.Invoke();
            }
            finally
            {
                Assert.True(system.Terminate().Wait(Patience), $"actor system {systemName} did not terminate");
            }
        }
    }
}
