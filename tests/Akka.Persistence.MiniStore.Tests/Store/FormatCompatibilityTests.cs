using System.Text.Json;
using Akka.Actor;
using Akka.Persistence.MiniStore.Tests.Journal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Store;

/// <summary>
/// Users have years of device data in stores written by earlier versions: a store written by MiniStore 0.1.0
/// (tests/TestData/store-0.1.0: events, an atomic batch, tags, a snapshot, a deletion, the event index) opens, replays
/// and loads its snapshot exactly as that version did (its own answers are in expected.jsonl). The read journal's
/// answers for it are checked in the query tests.
/// </summary>
public class FormatCompatibilityTests(ITestOutputHelper output) : JournalTestKit(output)
{
    public static string Fixture => Path.Combine(AppContext.BaseDirectory, "TestData", "store-0.1.0");

    /// <summary>A copy of the 0.1.0 store, for a test to open (opening may repair or index; the committed files stay as written).</summary>
    public static string CopyOfFixture(string target)
    {
        foreach (string file in Directory.GetFiles(Fixture, "*", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(target, Path.GetRelativePath(Fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return target;
    }

    public static IReadOnlyList<JsonElement> Expected(string kind) =>
        File.ReadAllLines(Path.Combine(Fixture, "expected.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == kind).ToList();

    [Fact]
    public void A_store_written_by_version_0_1_0_replays_and_loads_its_snapshot_as_that_version_did()
    {
        CopyOfFixture(StoreDirectory);
        var system = StartSystem("format-0-1-0");
        try
        {
            var journal = JournalOf(system);
            foreach (string pid in new[] { "sensor-1", "meter/7" })
            {
                var (events, highest) = Replay(journal, system, pid);
                var expected = Expected("replay").Where(e => e.GetProperty("pid").GetString() == pid).ToList();
                Assert.Equal(expected.Select(e => e.GetProperty("seq").GetInt64()), events.Select(e => e.SequenceNr));
                Assert.Equal(expected.Select(e => e.GetProperty("payload").GetString()), events.Select(e => (string)e.Payload));
                Assert.Equal(expected.Select(e => e.GetProperty("timestamp").GetInt64()), events.Select(e => e.Timestamp));
                Assert.All(events, e => Assert.Equal("fixture-writer", e.WriterGuid));
                Assert.Equal(Expected("highest").Single(e => e.GetProperty("pid").GetString() == pid).GetProperty("seq").GetInt64(), highest);
            }

            var probe = CreateTestProbe(system);
            Persistence.Instance.Apply(system).SnapshotStoreFor(null).Tell(new LoadSnapshot("sensor-1", SnapshotSelectionCriteria.Latest, long.MaxValue), probe.Ref);
            var loaded = probe.ExpectMsg<LoadSnapshotResult>().Snapshot!;
            var snapshot = Expected("snapshot").Single();
            Assert.Equal(snapshot.GetProperty("seq").GetInt64(), loaded.Metadata.SequenceNr);
            Assert.Equal(snapshot.GetProperty("payload").GetString(), loaded.Snapshot);
            Assert.Equal(snapshot.GetProperty("timestamp").GetInt64(), loaded.Metadata.Timestamp.Ticks);

            // And it goes on: the next event of each id is written after the last.
            WriteSuccessfully(journal, system, new AtomicWrite(Event("a-8", 8, "sensor-1", WriterGuid)), new AtomicWrite(Event("a-3", 3, "meter/7", WriterGuid)));
            Assert.Equal(8, Replay(journal, system, "sensor-1").Highest);
        }
        finally
        {
            Terminate(system);
        }
    }
}
