using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.MiniStore.Tests.Faults;
using Xunit;
using Xunit.Abstractions;
using static Akka.Persistence.MiniStore.Tests.Faults.FaultProbeActor;

namespace Akka.Persistence.MiniStore.Tests.Metrics;

/// <summary>
/// Every instrument of the meter "Akka.Persistence.MiniStore" counts what happened, checked with a MeterListener as
/// OpenTelemetry or dotnet-counters would see it: N events persisted, N counted; one fsync, one duration; a repair,
/// one repair; and so on. Each test runs its journal and snapshot store under plugin ids of its own, so measurements
/// of tests running beside it (the listener hears the whole process) are told apart by the plugin tag; no measurement
/// carries a persistence id.
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);
    private readonly string _journalId = "metrics-journal-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _snapshotId = "metrics-snapshots-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _store = MiniStoreSpec.NewDirectory();
    private readonly Measurements _measured;
    private readonly ITestOutputHelper _output;

    public MetricsTests(ITestOutputHelper output)
    {
        _output = output;
        _measured = new Measurements(_journalId, _snapshotId);
    }

    private ActorSystem Start(string name, string extra = "") => ActorSystem.Create(name, ConfigurationFactory.ParseString(extra)
        .WithFallback(ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = {{_journalId}}
            akka.persistence.snapshot-store.plugin = {{_snapshotId}}
            {{_journalId}} {
              class = "Akka.Persistence.MiniStore.Journal.MiniStoreJournal, Akka.Persistence.MiniStore"
              plugin-dispatcher = "akka.actor.default-dispatcher"
              directory = "{{Path.Combine(_store, "journal")}}"
            }
            {{_snapshotId}} {
              class = "Akka.Persistence.MiniStore.Snapshot.MiniStoreSnapshotStore, Akka.Persistence.MiniStore"
              plugin-dispatcher = "akka.actor.default-dispatcher"
              directory = "{{Path.Combine(_store, "snapshots")}}"
            }
            """)).WithFallback(MiniStorePersistence.DefaultConfiguration()));

    [Fact]
    public void Writes_fsyncs_recovery_and_gauges_count_what_happened()
    {
        const int Events = 7;
        var first = Start("metrics-first");
        IActorRef actor;
        var reporter = new Akka.TestKit.Xunit2.TestKit(first).CreateTestProbe();
        try
        {
            actor = first.ActorOf(FaultProbeActor.Props("counted", reporter.Ref));
            reporter.ExpectMsg<Recovered>(Slow);
            // The log is created by the first write; from the second on, one write is one fsync of one file.
            actor.Tell("e-1", reporter.Ref);
            reporter.ExpectMsg<Persisted>(Slow);
            _measured.Clear();
            for (int i = 2; i <= Events; i++)
            {
                actor.Tell($"e-{i}", reporter.Ref);
                reporter.ExpectMsg<Persisted>(Slow);
            }
            Assert.Equal(Events - 1, _measured.Sum("ministore.events.written", _journalId));
            Assert.True(_measured.Sum("ministore.bytes.written", _journalId) > 60 * (Events - 1));
            Assert.Equal(Events - 1, _measured.Count("ministore.write.batch.size", _journalId));
            Assert.Equal(Events - 1, _measured.Count("ministore.fsync.duration", _journalId, ("ministore.fsync.target", "file")));
            Assert.All(_measured.Values("ministore.fsync.duration", _journalId), seconds => Assert.InRange(seconds, 0, 10));
            Assert.Equal(0, _measured.Count("ministore.write.failures", _journalId));

            _measured.Observe();
            Assert.Equal(1, _measured.Last("ministore.logs.open", _journalId)); // the written log stays open between writes
            Assert.Equal(0, _measured.Last("ministore.writes.queued", _journalId));
            Assert.True(_measured.Last("ministore.store.size", _journalId) > 0);
        }
        finally
        {
            Assert.True(first.Terminate().Wait(Slow));
        }

        var second = Start("metrics-second");
        try
        {
            _measured.Clear();
            var probe = new Akka.TestKit.Xunit2.TestKit(second).CreateTestProbe();
            second.ActorOf(FaultProbeActor.Props("counted", probe.Ref));
            Assert.Equal(Events, probe.ExpectMsg<Recovered>(Slow).Events.Count);
            Assert.Equal(Events, _measured.Sum("ministore.recovery.events", _journalId));
            Assert.Equal(1, _measured.Count("ministore.recovery.duration", _journalId));
            Assert.All(_measured.Tags(), tags => Assert.DoesNotContain(tags, t => Equals(t.Value, "counted")));
        }
        finally
        {
            Assert.True(second.Terminate().Wait(Slow));
        }
    }

    [Fact]
    public void A_torn_tail_repaired_and_a_compaction_are_counted()
    {
        var first = Start("metrics-repair-first");
        try
        {
            var probe = new Akka.TestKit.Xunit2.TestKit(first).CreateTestProbe();
            var actor = first.ActorOf(FaultProbeActor.Props("repaired", probe.Ref));
            probe.ExpectMsg<Recovered>(Slow);
            for (int i = 1; i <= 20; i++)
            {
                actor.Tell($"event number {i}", probe.Ref);
                probe.ExpectMsg<Persisted>(Slow);
            }
        }
        finally
        {
            Assert.True(first.Terminate().Wait(Slow));
        }
        string log = Path.Combine(_store, "journal", PersistenceIdFileName.For("repaired") + ".jsonl");
        File.AppendAllText(log, "{\"crc\":\"0bad");

        var second = Start("metrics-repair-second", "akka.persistence.journal.ministore { compact-min-dead-bytes = 0, compact-min-dead-ratio = 0 }");
        try
        {
            _measured.Clear();
            var probe = new Akka.TestKit.Xunit2.TestKit(second).CreateTestProbe();
            var actor = second.ActorOf(FaultProbeActor.Props("repaired", probe.Ref));
            probe.ExpectMsg<Recovered>(Slow);
            Assert.Equal(1, _measured.Sum("ministore.torn_tails.repaired", _journalId));

            long before = new FileInfo(log).Length;
            actor.Tell(new DeleteEventsTo(15));
            probe.ExpectMsg<DeleteMessagesSuccess>(Slow);
            AwaitTrue(() => _measured.Sum("ministore.compactions", _journalId) == 1);
            Assert.Equal(before - new FileInfo(log).Length, _measured.Sum("ministore.compaction.reclaimed", _journalId));
        }
        finally
        {
            Assert.True(second.Terminate().Wait(Slow));
        }
    }

    [SkippableFact]
    public void A_write_that_fails_on_a_full_disk_is_counted_as_disk_full()
    {
        Skip.If(FaultEnvironment.NoTmpfs is not null, FaultEnvironment.NoTmpfs);
        using var disk = new SmallFileSystem(1024);
        Directory.CreateDirectory(Path.GetDirectoryName(_store)!);
        Directory.CreateSymbolicLink(_store, disk.Path);
        var system = Start("metrics-full");
        try
        {
            var probe = new Akka.TestKit.Xunit2.TestKit(system).CreateTestProbe();
            var actor = system.ActorOf(FaultProbeActor.Props("full", probe.Ref));
            probe.ExpectMsg<Recovered>(Slow);
            actor.Tell("fits", probe.Ref);
            probe.ExpectMsg<Persisted>(Slow);
            _measured.Clear();
            disk.Fill();
            actor.Tell(new string('x', 64 * 1024), probe.Ref);
            probe.ExpectMsg<PersistFailed>(Slow);
            Assert.Equal(1, _measured.Count("ministore.write.failures", _journalId, ("error.type", "disk_full")));
        }
        finally
        {
            Assert.True(system.Terminate().Wait(Slow));
            File.Delete(_store);
        }
    }

    private static void AwaitTrue(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Slow;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition never became true");
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        _measured.Dispose();
        try { if (Directory.Exists(_store)) Directory.Delete(_store, recursive: true); } catch (IOException) { }
    }

    /// <summary>What a MeterListener hears from the meter, for the plugin ids of one test.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _seen = new();
        private readonly HashSet<string> _plugins;

        public Measurements(params string[] plugins)
        {
            _plugins = [.. plugins];
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MiniStoreMetrics.MeterName)
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = tags.ToArray();
            if (copy.Any(t => t.Key == MiniStoreMetrics.PluginTag && t.Value is string id && _plugins.Contains(id)))
                _seen.Enqueue((instrument.Name, value, copy));
        }

        public void Clear() => _seen.Clear();
        public void Observe() => _listener.RecordObservableInstruments();

        public IEnumerable<double> Values(string instrument, string plugin, (string Key, string Value)? tag = null) =>
            _seen.Where(m => m.Instrument == instrument && m.Tags.Contains(new(MiniStoreMetrics.PluginTag, plugin))
                             && (tag is null || m.Tags.Any(t => t.Key == tag.Value.Key && Equals(t.Value, tag.Value.Value)))).Select(m => m.Value);

        public double Sum(string instrument, string plugin) => Values(instrument, plugin).Sum();
        public int Count(string instrument, string plugin, (string, string)? tag = null) => Values(instrument, plugin, tag).Count();
        public double Last(string instrument, string plugin) => Values(instrument, plugin).Last();
        public IEnumerable<KeyValuePair<string, object?>[]> Tags() => _seen.Select(m => m.Tags);

        public void Dispose() => _listener.Dispose();
    }
}
