using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.MiniStore.Query;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using ShipProcess;
using Xunit;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>
/// A target of shipping, as HOCON for the shipper's actor system: a second MiniStore store (needs nothing installed)
/// or Akka.Persistence.Sql on PostgreSQL. <see cref="ReadAsync"/> reads back what it holds, through its read journal.
/// </summary>
internal sealed class Target
{
    public const string JournalId = "akka.persistence.journal.target";
    public const string SnapshotId = "akka.persistence.snapshot-store.target";
    public const string ReadJournalId = "akka.persistence.query.journal.target";

    private Target(string plugins, bool isSql)
    {
        Plugins = plugins;
        IsSql = isSql;
    }

    /// <summary>The target's plugins (beside an application's own).</summary>
    public string Plugins { get; }

    /// <summary>The target's plugins, as the actor system's default journal and snapshot store (a shipper's own system).</summary>
    public string Hocon => $"akka.persistence.journal.plugin = \"{JournalId}\"\nakka.persistence.snapshot-store.plugin = \"{SnapshotId}\"\n" + Plugins;
    public bool IsSql { get; }
    public Config Config => ConfigurationFactory.ParseString(Hocon);

    /// <summary>Writes the HOCON to a file (for the shipper in a child process).</summary>
    public string WriteFile(string directory)
    {
        string path = Path.Combine(directory, $"target-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, Hocon);
        return path;
    }

    // A short circuit-breaker reset: a target that comes back is written to within a second, not after Akka's 30 s.
    private const string Breaker = "circuit-breaker { max-failures = 10000, call-timeout = 20s, reset-timeout = 1s }";

    public static Target MiniStore(string directory) => new($$"""
        {{JournalId}} {
          class = "Akka.Persistence.MiniStore.Journal.MiniStoreJournal, Akka.Persistence.MiniStore"
          directory = "{{directory}}/journal"
          {{Breaker}}
        }
        {{SnapshotId}} {
          class = "Akka.Persistence.MiniStore.Snapshot.MiniStoreSnapshotStore, Akka.Persistence.MiniStore"
          directory = "{{directory}}/snapshots"
          {{Breaker}}
        }
        {{ReadJournalId}} {
          class = "Akka.Persistence.MiniStore.Query.MiniStoreReadJournalProvider, Akka.Persistence.MiniStore.Query"
          write-plugin = "{{JournalId}}"
        }
        """, isSql: false);

    public static Target Sql(string connectionString) => new($$"""
        {{JournalId}} {
          class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
          connection-string = "{{connectionString}}"
          provider-name = "PostgreSQL.15"
          tag-write-mode = TagTable
          {{Breaker}}
        }
        {{SnapshotId}} {
          class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
          connection-string = "{{connectionString}}"
          provider-name = "PostgreSQL.15"
          {{Breaker}}
        }
        {{ReadJournalId}} {
          class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
          connection-string = "{{connectionString}}"
          provider-name = "PostgreSQL.15"
          tag-read-mode = TagTable
          write-plugin = "{{JournalId}}"
        }
        """, isSql: true);

    public ActorSystem StartSystem(string name = "target", Akka.Actor.Setup.ActorSystemSetup? setup = null)
    {
        var config = Config.WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING")).WithFallback(MiniStorePersistence.DefaultConfiguration());
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        return ActorSystem.Create(name, setup is null ? Akka.Actor.Setup.ActorSystemSetup.Create(bootstrap) : setup.And(bootstrap));
    }

    /// <summary>What the target holds: per id its events in replay order, its events tagged "all" in the target's order, and each id's latest snapshot.</summary>
    public async Task<Held> ReadAsync(IEnumerable<string> ids)
    {
        var system = StartSystem("target-reader");
        try
        {
            var materializer = system.Materializer();
            var queries = PersistenceQuery.Get(system);
            IReadJournal journal = IsSql ? queries.ReadJournalFor<SqlReadJournal>(ReadJournalId) : queries.ReadJournalFor<MiniStoreReadJournal>(ReadJournalId);
            var byId = new Dictionary<string, List<(long Seq, Reading Reading)>>();
            foreach (var id in ids)
            {
                var events = await ((ICurrentEventsByPersistenceIdQuery)journal).CurrentEventsByPersistenceId(id, 0, long.MaxValue)
                    .RunAggregate(new List<(long, Reading)>(), (list, e) => { list.Add((e.SequenceNr, (Reading)e.Event)); return list; }, materializer);
                byId[id] = events;
            }
            var tagged = await ((ICurrentEventsByTagQuery)journal).CurrentEventsByTag("all", Offset.NoOffset())
                .RunAggregate(new List<(string, long)>(), (list, e) => { list.Add((e.PersistenceId, e.SequenceNr)); return list; }, materializer);
            var snapshots = new Dictionary<string, long>();
            var store = Persistence.Instance.Apply(system).SnapshotStoreFor(SnapshotId);
            foreach (var id in byId.Keys)
                if (await store.Ask<LoadSnapshotResult>(new LoadSnapshot(id, SnapshotSelectionCriteria.Latest, long.MaxValue), TimeSpan.FromSeconds(30)) is { Snapshot: { } s })
                    snapshots[id] = s.Metadata.SequenceNr;
            return new Held(byId, tagged, snapshots);
        }
        finally
        {
            await system.Terminate();
        }
    }
}

internal sealed record Held(Dictionary<string, List<(long Seq, Reading Reading)>> Events, List<(string Id, long Seq)> TaggedAll, Dictionary<string, long> Snapshots)
{
    /// <summary>
    /// The target holds exactly readings 1..written of each id, in sequence order, none twice, and its events by tag
    /// follow the device's order (its event index).
    /// </summary>
    public void ShouldMatch(IReadOnlyDictionary<string, long> written, IReadOnlyList<(string Id, long Seq)> deviceOrder)
    {
        foreach (var (id, count) in written)
        {
            var events = Events[id];
            Assert.True(events.Count == count, $"'{id}': the target holds {events.Count} events, the device wrote {count}");
            for (int i = 0; i < events.Count; i++)
            {
                Assert.Equal(i + 1, events[i].Seq);
                Assert.Equal(new Reading(id, i + 1), events[i].Reading);
            }
        }
        Assert.Equal(deviceOrder.Count, TaggedAll.Count);
        Assert.Equal(deviceOrder, TaggedAll);
    }
}
