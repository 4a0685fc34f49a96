using Akka.Actor;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>compact-on-delete: the deleted prefix leaves the disk; live events, the highest number and concurrent writes stay.</summary>
public class JournalCompactionTests : JournalTestKit
{
    private const string Compacting = """
        akka.persistence.journal.ministore.compact-on-delete = on
        akka.persistence.journal.ministore.compact-min-dead-bytes = 0
        akka.persistence.journal.ministore.compact-min-dead-ratio = 0
        """;

    public JournalCompactionTests(ITestOutputHelper output) : this(output, Compacting) { }

    protected JournalCompactionTests(ITestOutputHelper output, string config) : base(output, config) { }

    protected void WriteEvents(string persistenceId, int from, int count) =>
        WriteSuccessfully(Enumerable.Range(from, count).Select(i => new AtomicWrite(Event($"reading {i}: 21.5 C, humidity 40 %", i, persistenceId, WriterGuid))).ToArray());

    protected void Delete(long toSequenceNr)
    {
        var probe = CreateTestProbe();
        Journal.Tell(new DeleteMessagesTo(Pid, toSequenceNr, probe.Ref));
        probe.ExpectMsg<DeleteMessagesSuccess>();
    }

    /// <summary>Waits for the compaction queued after a deletion: a read of the highest number runs after it, in the id's order.</summary>
    protected long HighestAfterQueuedWork() => Replay(Pid, 1, 0).Highest;

    [Fact]
    public void Deleting_a_prefix_shrinks_the_log_on_disk_to_the_live_events_and_keeps_the_highest_sequence_number()
    {
        WriteEvents(Pid, 1, 100);
        long before = new FileInfo(EventLogPath(Pid)).Length;

        Delete(60);
        Assert.Equal(100, HighestAfterQueuedWork());

        long after = new FileInfo(EventLogPath(Pid)).Length;
        Output.WriteLine($"log of 100 events: {before} bytes; after deleting 1..60 and compacting: {after} bytes");
        Assert.InRange(after, before * 35 / 100, before * 45 / 100);
        Assert.Equal(Enumerable.Range(61, 40).Select(i => (long)i), ReadLines(EventLogPath(Pid)).Select(l => l.Seq));
        var (events, highest) = Replay(Pid);
        Assert.Equal(Enumerable.Range(61, 40).Select(i => (long)i), events.Select(e => e.SequenceNr));
        Assert.Equal(100, highest);
    }

    [Fact]
    public void A_log_closed_after_a_replay_is_reopened_to_be_compacted()
    {
        WriteEvents(Pid, 1, 100);
        long before = new FileInfo(EventLogPath(Pid)).Length;
        Assert.Equal(100, Replay(Pid).Events.Count); // the replay closes the log; the deletion and compaction reopen it

        Delete(60);
        Assert.Equal(100, HighestAfterQueuedWork());

        Assert.True(new FileInfo(EventLogPath(Pid)).Length < before / 2, "the deleted prefix left the disk");
        Assert.Equal(Enumerable.Range(61, 40).Select(i => (long)i), ReadLines(EventLogPath(Pid)).Select(l => l.Seq));
        Assert.Equal(Enumerable.Range(61, 40).Select(i => (long)i), Replay(Pid).Events.Select(e => e.SequenceNr));
        WriteEvents(Pid, 101, 1);
        Assert.Equal(Enumerable.Range(61, 41).Select(i => (long)i), Replay(Pid).Events.Select(e => e.SequenceNr));
    }

    [Fact]
    public void Deleting_every_event_leaves_an_empty_log_and_the_highest_sequence_number_survives_a_restart()
    {
        WriteEvents(Pid, 1, 20);
        Delete(20);
        Assert.Equal(20, HighestAfterQueuedWork());
        Assert.Equal(0, new FileInfo(EventLogPath(Pid)).Length);

        // The restart: this system's journal gives up the store (its lock file) before another system opens it.
        var journal = Journal;
        Watch(journal);
        Sys.Stop(journal);
        ExpectTerminated(journal);
        var system = StartSystem("restarted");
        try
        {
            var (events, highest) = Replay(JournalOf(system), system, Pid);
            Assert.Empty(events);
            Assert.Equal(20, highest);
            WriteSuccessfully(JournalOf(system), system, new AtomicWrite(Event("next", 21, Pid, WriterGuid)));
            Assert.Equal(21, Replay(JournalOf(system), system, Pid).Events.Single().SequenceNr);
        }
        finally
        {
            Terminate(system);
        }
    }

    [Fact]
    public void Writes_that_arrive_during_compaction_are_all_stored_in_order_and_other_ids_are_not_held_up()
    {
        WriteEvents(Pid, 1, 3000);
        string other = Pid + "-other";
        var probe = CreateTestProbe();

        Journal.Tell(new DeleteMessagesTo(Pid, 2500, probe.Ref));
        // Sent at once, without waiting: they queue behind the deletion and its compaction, in this order.
        for (int i = 3001; i <= 3100; i++)
        {
            Journal.Tell(new WriteMessages(new[] { new AtomicWrite(Event($"during {i}", i, Pid, WriterGuid)) }, probe.Ref, ActorInstanceId));
            Journal.Tell(new WriteMessages(new[] { new AtomicWrite(Event($"other {i}", i - 3000, other, WriterGuid)) }, probe.Ref, ActorInstanceId));
        }
        probe.ExpectMsg<DeleteMessagesSuccess>();
        var answers = probe.ReceiveN(2 * 100 * 2, TimeSpan.FromSeconds(60));
        Assert.All(answers, a => Assert.True(a is WriteMessagesSuccessful or WriteMessageSuccess, $"unexpected {a}"));

        var (events, highest) = Replay(Pid);
        Assert.Equal(Enumerable.Range(2501, 600).Select(i => (long)i), events.Select(e => e.SequenceNr));
        Assert.Equal(3100, highest);
        Assert.Equal(Enumerable.Range(2501, 600).Select(i => (long)i), ReadLines(EventLogPath(Pid)).Select(l => l.Seq));
        Assert.Equal(100, Replay(other).Events.Count);
    }
}

/// <summary>Below both thresholds (1 MiB, half the log) nothing is rewritten; compaction off rewrites nothing at all.</summary>
public sealed class JournalCompactionThresholdTests : JournalCompactionTests
{
    public JournalCompactionThresholdTests(ITestOutputHelper output) : base(output, "akka.persistence.journal.ministore.compact-on-delete = on") { }

    [Fact]
    public void A_dead_prefix_under_both_thresholds_is_left_in_place_and_one_over_the_ratio_is_removed()
    {
        WriteEvents(Pid, 1, 100);
        long before = new FileInfo(EventLogPath(Pid)).Length;

        Delete(40);
        HighestAfterQueuedWork();
        Assert.Equal(before, new FileInfo(EventLogPath(Pid)).Length);

        Delete(60);
        HighestAfterQueuedWork();
        Assert.Equal(Enumerable.Range(61, 40).Select(i => (long)i), ReadLines(EventLogPath(Pid)).Select(l => l.Seq));
    }
}

/// <summary>max-store-size: a warning as the journal directory nears the cap, an error once it is over; writes go on.</summary>
public sealed class StoreSizeWarningTests : JournalTestKit
{
    public StoreSizeWarningTests(ITestOutputHelper output) : base(output, "akka.persistence.journal.ministore.max-store-size = 4KiB") { }

    [Fact]
    public void Writing_past_the_cap_logs_an_error_naming_the_size_and_the_cap()
    {
        EventFilter.Error(contains: "more than max-store-size (4096 bytes)").ExpectOne(TimeSpan.FromSeconds(20), () =>
            WriteSuccessfully(Enumerable.Range(1, 100).Select(i => new AtomicWrite(Event($"reading {i}", i, Pid, WriterGuid))).ToArray()));
        Assert.Equal(100, Replay(Pid).Events.Count);
    }
}
