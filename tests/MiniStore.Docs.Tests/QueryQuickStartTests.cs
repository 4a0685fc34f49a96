using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.MiniStore;
using Akka.Persistence.Query;
using MiniStore.Docs.Tests.Snippets;

namespace MiniStore.Docs.Tests;

/// <summary>The query package's example, run: a projection reads the tagged events after its saved offset, and only those.</summary>
public sealed class QueryQuickStartTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("ministore-docs-query-").FullName;

    [Fact]
    public async Task The_projection_reads_the_tagged_events_after_its_saved_offset()
    {
        var config = ConfigurationFactory.ParseString($"""
            akka.persistence.journal.plugin = "akka.persistence.journal.ministore"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.ministore"
            akka.persistence.journal.ministore.directory = "{_store}/journal"
            akka.persistence.snapshot-store.ministore.directory = "{_store}/snapshots"
            """).WithFallback(MiniStorePersistence.DefaultConfiguration());
        var system = ActorSystem.Create("query-docs", config);
        try
        {
            var counter = system.ActorOf(Props.Create(() => new TaggedCounter("counter-a")));
            foreach (int n in new[] { 10, 20, 30 })
                Assert.Equal("stored", await counter.Ask<string>(n, TimeSpan.FromSeconds(30)));

            var all = new QueryQuickStart.Projection();
            await QueryQuickStart.RunAsync(system, 0, all);
            Assert.Equal([10, 20, 30], all.Applied.Select(e => (int)e.Event));

            long saved = ((Sequence)all.Applied[0].Offset).Value;
            var resumed = new QueryQuickStart.Projection();
            await QueryQuickStart.RunAsync(system, saved, resumed);
            Assert.Equal([20, 30], resumed.Applied.Select(e => (int)e.Event));
        }
        finally
        {
            await system.Terminate();
        }
    }

    public void Dispose() => Directory.Delete(_store, recursive: true);
}
