using Akka.Actor;
using Akka.Persistence.Query;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// Without write-plugin, the read journal reads through the system's default journal when that is a MiniStore
/// journal, under whichever id it was switched on, and never starts a second journal over the same directory (its
/// lock would refuse it); with another default journal, it starts the MiniStore journal of the long path.
/// </summary>
public sealed class WritePluginTests
{
    private static bool Runs(ActorSystem system, string pluginId)
    {
        try
        {
            system.ActorSelection($"/system/{pluginId}").ResolveOne(TimeSpan.FromSeconds(3)).Wait();
            return true;
        }
        catch (AggregateException e) when (e.InnerException is ActorNotFoundException)
        {
            return false;
        }
    }

    public sealed class ShortId(ITestOutputHelper output) : QuerySpec(output, """
        akka.persistence.journal.plugin = ministore
        """)
    {
        [Fact]
        public void The_journal_switched_on_by_its_short_id_is_the_one_read_and_no_other_is_started()
        {
            var writer = Write("a", "a-1", "a-2");
            var live = Run(Queries.EventsByPersistenceId("a", 0, long.MaxValue));
            live.Request(10);
            ExpectEnvelope(live, "a", 1, "a-1");
            ExpectEnvelope(live, "a", 2, "a-2");
            Tell(writer, "a-3");
            ExpectEnvelope(live, "a", 3, "a-3");
            live.Cancel();
            Assert.Equal(["a/1:a-1@1", "a/2:a-2@2", "a/3:a-3@3"], Collect(Queries.CurrentAllEvents(NoOffset.Instance)));

            Assert.True(Runs(Sys, MiniStorePersistence.JournalId));
            Assert.False(Runs(Sys, MiniStorePersistence.JournalConfigPath), "the read journal started a second journal over the store");
        }
    }

    public sealed class LongPath(ITestOutputHelper output) : QuerySpec(output)
    {
        [Fact]
        public void The_journal_switched_on_by_its_long_path_is_the_one_read()
        {
            Write("a", "a-1");
            Assert.Equal(["a/1:a-1@1"], Collect(Queries.CurrentAllEvents(NoOffset.Instance)));
            Assert.True(Runs(Sys, MiniStorePersistence.JournalConfigPath));
            Assert.False(Runs(Sys, MiniStorePersistence.JournalId));
        }
    }

    public sealed class OtherDefault(ITestOutputHelper output) : QuerySpec(output, """
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.local"
        """)
    {
        [Fact]
        public void With_another_default_journal_the_MiniStore_journal_of_the_long_path_is_started_and_read()
        {
            var probe = CreateTestProbe();
            Sys.ActorOf(Props.Create(() => new MiniStoreWriter("a"))).Tell("a-1", probe.Ref);
            probe.ExpectMsg("a-1-done");
            Assert.Equal(["a/1:a-1@1"], Collect(Queries.CurrentAllEvents(NoOffset.Instance)));
            Assert.True(Runs(Sys, MiniStorePersistence.JournalConfigPath));
        }
    }

    /// <summary>A writer on the MiniStore journal, whatever the default journal is.</summary>
    private sealed class MiniStoreWriter : ReceivePersistentActor
    {
        public MiniStoreWriter(string persistenceId)
        {
            PersistenceId = persistenceId;
            JournalPluginId = MiniStorePersistence.JournalConfigPath;
            Command<string>(s => Persist(s, e => Sender.Tell($"{e}-done")));
        }

        public override string PersistenceId { get; }
    }
}
