using Akka.Persistence.Query;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// Disk bounded by what is live: on a device that snapshots and deletes, the logs are compacted, and so is the event
/// index (about 64 bytes per event), which otherwise grows with every event ever written.
/// </summary>
public sealed class IndexCompactionSizeTests(ITestOutputHelper output) : BulkWriteSpec(output)
{
    [Fact]
    public void Rounds_of_write_snapshot_delete_over_a_million_events_keep_the_journal_within_three_times_the_live_events()
    {
        string[] ids = [.. Enumerable.Range(1, 10).Select(i => $"device-{i}")];
        const int Rounds = 10, PerIdPerRound = 10_000, Batch = 1_000, KeptPerId = 100;
        for (int round = 1; round <= Rounds; round++)
        {
            for (int written = 0; written < PerIdPerRound; written += Batch)
                WriteEvents([.. ids.Select(id => (id, Batch))], "reading");
            foreach (string id in ids)
            {
                SaveSnapshot(id, Highest[id] - KeptPerId);
                Delete(id, Highest[id] - KeptPerId);
            }

            long live = LiveEventBytes(ids, KeptPerId);
            bool bounded = SpinWait.SpinUntil(() => JournalBytes() <= 3 * live, TimeSpan.FromSeconds(60));
            output.WriteLine($"round {round}: journal directory {JournalBytes()} bytes (index {new FileInfo(IndexPath).Length}), live events {live} bytes");
            Assert.True(bounded, $"after round {round} the journal directory holds {JournalBytes()} bytes (index {new FileInfo(IndexPath).Length}), more than 3 x the {live} bytes of live events");
        }
        Assert.Equal(ids.Length * Rounds * PerIdPerRound, LastOrdering);

        // What is live is still found, with the orderings it was stored with, and every id is listed.
        var all = Collect(Queries.CurrentAllEvents(NoOffset.Instance));
        Assert.Equal(ids.Length * KeptPerId, all.Count);
        foreach (string id in ids)
            Assert.Equal(Enumerable.Range(1, KeptPerId).Select(i => $"{id}/{Highest[id] - KeptPerId + i}:reading {Highest[id] - KeptPerId + i}@{Orderings[(id, Highest[id] - KeptPerId + i)]}"),
                all.Where(e => e.StartsWith(id + "/", StringComparison.Ordinal)));
        Assert.Equal(ids.Order(StringComparer.Ordinal), Queries.CurrentPersistenceIds().RunWith(Akka.Streams.Dsl.Sink.Seq<string>(), Materializer).Result.Order(StringComparer.Ordinal));
    }

    /// <summary>The bytes the live (not deleted) events take in their logs: each log from its first live record to its end.</summary>
    private long LiveEventBytes(string[] ids, int keptPerId)
    {
        long bytes = 0;
        foreach (string id in ids)
        {
            long deletedTo = Highest[id] - keptPerId;
            using var log = MiniStoreLog.Open(EventLogPath(id), readOnly: true);
            foreach (var record in log.Read())
                if (System.Text.Json.JsonDocument.Parse(record.Json).RootElement.GetProperty("seq").GetInt64() > deletedTo)
                {
                    bytes += log.Length - record.Offset;
                    break;
                }
        }
        return bytes;
    }

    /// <summary>Every file in the journal directory; a compaction's copy may be renamed away while they are listed.</summary>
    private long JournalBytes() =>
        new DirectoryInfo(JournalDirectory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f =>
        {
            try { return f.Length; }
            catch (FileNotFoundException) { return 0; }
        });
}
