using Akka.Actor;
using Akka.Streams;
using Akka.Persistence.Hosting;
using CounterSample;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;

namespace Akka.Persistence.MiniStore.Hosting.Tests;

public sealed class HostingPersistenceTests : IDisposable
{
    private readonly string _store = Path.Combine(Path.GetTempPath(), "ministore-hosting-" + Guid.NewGuid().ToString("N"));

    private void Persistence(Akka.Hosting.AkkaConfigurationBuilder akka) =>
        akka.WithMiniStorePersistence(_store,
            journalBuilder: j => j
                .AddWriteEventAdapter<CounterTagger>("counter-tagger", [typeof(Incremented), typeof(ValueSet)])
                .WithHealthCheck(HealthStatus.Unhealthy),
            snapshotBuilder: s => s.WithHealthCheck(HealthStatus.Unhealthy));

    [Fact]
    public async Task Events_and_snapshots_persisted_by_one_host_are_recovered_by_the_next()
    {
        await using (var first = await HostedCounter.StartAsync(Persistence))
        {
            for (int i = 1; i <= Counter.SnapshotEvery + 2; i++)
                first.Counter.Tell(new Increment(i));
            var value = await first.ValueAsync();
            Assert.Equal(28, value.Value);
        }

        await using var second = await HostedCounter.StartAsync(Persistence);
        var recovered = await second.ValueAsync();
        Assert.Equal(28, recovered.Value);
        Assert.Equal(Counter.SnapshotEvery + 2, recovered.SequenceNr);
        Assert.Contains($"snapshot at event {Counter.SnapshotEvery} + 2 events replayed", recovered.RecoveredFrom);

        string log = Path.Combine(_store, "journal", PersistenceIdFileName.For("counter-1") + ".jsonl");
        Assert.Equal(Counter.SnapshotEvery + 2, File.ReadLines(log).Count());
        Assert.All(File.ReadLines(log), line => Assert.Contains("\"tags\":[\"counter\"]", line)); // the adapter registered through Hosting ran
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_store, "snapshots"), "*.snapshot.json", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Health_checks_report_healthy_stores_and_a_journal_that_cannot_write_as_unhealthy()
    {
        await using var host = await HostedCounter.StartAsync(Persistence);
        host.Counter.Tell(new Increment(1));
        await host.ValueAsync();

        var healthy = await host.HealthAsync();
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Healthy, healthy.Entries["akka.persistence.journal.ministore"].Status);
        Assert.Equal(HealthStatus.Healthy, healthy.Entries["akka.persistence.snapshot-store.ministore"].Status);

        // The journal's directory disappears (an unmounted card, say) and a file takes its place: nothing can be created in it.
        string journal = Path.Combine(_store, "journal");
        Directory.Move(journal, journal + ".gone");
        File.WriteAllText(journal, "not a directory");

        var broken = await host.HealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, broken.Status);
        var entry = broken.Entries["akka.persistence.journal.ministore"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("cannot write", entry.Description);
        Assert.Equal(HealthStatus.Healthy, broken.Entries["akka.persistence.snapshot-store.ministore"].Status);
    }

    [Fact]
    public void Options_become_the_plugin_HOCON_section_over_the_embedded_defaults()
    {
        var options = new MiniStoreJournalOptions(isDefaultPlugin: true, identifier: "device")
        {
            Directory = "/data/journal",
            MaxRecordSize = 1024,
            FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
        };
        var config = options.ToConfig().WithFallback(options.DefaultConfig);

        Assert.Equal("akka.persistence.journal.device", config.GetString("akka.persistence.journal.plugin"));
        var section = config.GetConfig("akka.persistence.journal.device");
        Assert.Equal("/data/journal", section.GetString("directory"));
        Assert.Equal(1024, section.GetByteSize("max-record-size"));
        Assert.Equal("640", section.GetString("file-mode"));
        Assert.Equal("700", section.GetString("directory-mode")); // from reference.conf
        Assert.Equal("Akka.Persistence.MiniStore.Journal.MiniStoreJournal, Akka.Persistence.MiniStore", section.GetString("class"));
    }

    [Fact]
    public async Task The_read_journal_of_a_journal_configured_through_hosting_reads_its_events_with_the_query_settings_given_in_code()
    {
        await using var host = await HostedCounter.StartAsync(akka => akka.WithMiniStorePersistence(_store,
            pluginIdentifier: "edge",
            queryOptions: q => { q.RefreshInterval = TimeSpan.FromMilliseconds(250); q.MaxBufferSize = 7; }));
        host.Counter.Tell(new Increment(2));
        host.Counter.Tell(new Increment(3));
        Assert.Equal(5, (await host.ValueAsync()).Value);

        const string queryPath = "akka.persistence.query.journal.edge";
        var section = host.System.Settings.Config.GetConfig(queryPath);
        Assert.Equal(TimeSpan.FromMilliseconds(250), section.GetTimeSpan("refresh-interval"));
        Assert.Equal(7, section.GetInt("max-buffer-size"));
        Assert.Equal("akka.persistence.journal.edge", section.GetString("write-plugin"));

        var queries = Akka.Persistence.Query.PersistenceQuery.Get(host.System).ReadJournalFor<Akka.Persistence.MiniStore.Query.MiniStoreReadJournal>(queryPath);
        var events = await queries.CurrentEventsByPersistenceId("counter-1", 0, long.MaxValue)
            .RunWith(Akka.Streams.Dsl.Sink.Seq<Akka.Persistence.Query.EventEnvelope>(), host.System.Materializer());
        Assert.Equal([2, 3], events.Select(e => ((Incremented)e.Event).By));
    }

    [Fact]
    public void A_journal_builder_with_snapshot_store_only_mode_is_refused()
    {
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "x");
        Assert.Throws<ArgumentException>(() => builder.WithMiniStorePersistence(_store, PersistenceMode.SnapshotStore, journalBuilder: _ => { }));
    }

    public void Dispose()
    {
        if (File.Exists(Path.Combine(_store, "journal"))) File.Delete(Path.Combine(_store, "journal"));
        if (Directory.Exists(_store)) Directory.Delete(_store, recursive: true);
    }
}
