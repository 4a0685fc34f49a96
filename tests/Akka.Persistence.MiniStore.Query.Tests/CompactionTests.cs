using System.Text.Json;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>A live query keeps its place in a log that a compaction replaced with a copy without the deleted prefix.</summary>
public sealed class CompactionTests(ITestOutputHelper output) : QuerySpec(output, """
    akka.persistence.journal.ministore.compact-on-delete = on
    akka.persistence.journal.ministore.compact-min-dead-bytes = 0
    akka.persistence.journal.ministore.compact-min-dead-ratio = 0
    """)
{
    [Fact]
    public void Live_query_across_a_compaction_delivers_every_later_event_once_in_order()
    {
        var writer = Write("k", Enumerable.Range(1, 10).Select(i => $"k-{i}").ToArray());
        var probe = Run(Queries.EventsByPersistenceId("k", 0, long.MaxValue));
        probe.Request(5);
        for (int i = 1; i <= 5; i++)
            ExpectEnvelope(probe, "k", i, $"k-{i}");

        Tell(writer, "delete:3");
        foreach (var e in Enumerable.Range(11, 4).Select(i => $"k-{i}"))
            Tell(writer, e); // each write waits for the compaction queued after the deletion
        Assert.Equal(4, FirstSequenceNrOnDisk("k")); // the log was replaced

        probe.Request(100);
        for (int i = 6; i <= 14; i++)
            ExpectEnvelope(probe, "k", i, $"k-{i}");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(600)); // nothing twice

        Tell(writer, "k-15");
        ExpectEnvelope(probe, "k", 15, "k-15");
    }

    private long FirstSequenceNrOnDisk(string persistenceId)
    {
        using var log = MiniStoreLog.Open(EventLogPath(persistenceId), readOnly: true);
        foreach (var first in log.Read())
            return JsonDocument.Parse(first.Json).RootElement.GetProperty("seq").GetInt64();
        throw new InvalidOperationException($"the log of '{persistenceId}' is empty");
    }
}
