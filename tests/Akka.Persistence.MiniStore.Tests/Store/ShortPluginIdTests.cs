using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.MiniStore.Tests.Journal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Store;

/// <summary>
/// The line Akka.NET users write, <c>akka.persistence.journal.plugin = ministore</c> (and
/// <c>akka.persistence.snapshot-store.plugin = ministore-snapshots</c>), switches MiniStore on with the embedded
/// defaults; the long ids go on working; either way the settings come from the long sections.
/// </summary>
public class ShortPluginIdTests(ITestOutputHelper output) : JournalTestKit(output)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("ministore", "ministore-snapshots")]
    [InlineData("akka.persistence.journal.ministore", "akka.persistence.snapshot-store.ministore")]
    public void The_short_and_the_long_plugin_ids_both_store_and_recover_events_and_snapshots_where_configured(string journalId, string snapshotStoreId)
    {
        string store = NewDirectory();
        Config Config() => ConfigurationFactory.ParseString($$"""
            akka.persistence.journal.plugin = {{journalId}}
            akka.persistence.snapshot-store.plugin = {{snapshotStoreId}}
            akka.persistence.journal.ministore.directory = "{{Path.Combine(store, "journal")}}"
            akka.persistence.snapshot-store.ministore.directory = "{{Path.Combine(store, "snapshots")}}"
            """).WithFallback(MiniStorePersistence.DefaultConfiguration());
        try
        {
            foreach (int generation in new[] { 1, 2 })
            {
                var system = ActorSystem.Create($"short-id-{generation}", Config());
                try
                {
                    var reporter = CreateTestProbe(system);
                    var actor = system.ActorOf(Faults.FaultProbeActor.Props(Pid, reporter.Ref));
                    var recovered = reporter.ExpectMsg<Faults.FaultProbeActor.Recovered>(Slow);
                    Assert.Equal(generation == 1 ? 0 : 2, recovered.LastSequenceNr);
                    Assert.Equal(generation == 1 ? null : 1, recovered.SnapshotAt);
                    actor.Tell($"g{generation}", reporter.Ref);
                    reporter.ExpectMsg<Faults.FaultProbeActor.Persisted>(Slow);
                    if (generation == 1)
                    {
                        actor.Tell(new Faults.FaultProbeActor.TakeSnapshot("state"));
                        reporter.ExpectMsg<SaveSnapshotSuccess>(Slow);
                        actor.Tell("g1b", reporter.Ref);
                        reporter.ExpectMsg<Faults.FaultProbeActor.Persisted>(Slow);
                    }
                }
                finally
                {
                    Terminate(system);
                }
            }
            Assert.Single(Directory.GetFiles(Path.Combine(store, "journal"), "*.jsonl"));
            Assert.Single(Directory.GetDirectories(Path.Combine(store, "snapshots")));
        }
        finally
        {
            try { Directory.Delete(store, true); } catch (IOException) { }
        }
    }
}
