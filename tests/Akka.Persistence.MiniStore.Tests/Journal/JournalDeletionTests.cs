using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>DeleteMessagesTo: the TCK's deletion cases, deleting beyond the highest number, and restarts.</summary>
public class JournalDeletionTests : JournalTestKit
{
    // Deletion marks alone: JournalCompactionTests covers the compaction that follows a deletion by default.
    public JournalDeletionTests(ITestOutputHelper output) : base(output, "akka.persistence.journal.ministore.compact-on-delete = off") { }

    private string DeletionsPath => Path.ChangeExtension(EventLogPath(Pid), ".deleted.jsonl");

    private DeleteMessagesSuccess Delete(long toSequenceNr)
    {
        var probe = CreateTestProbe();
        Journal.Tell(new DeleteMessagesTo(Pid, toSequenceNr, probe.Ref));
        var success = probe.ExpectMsg<DeleteMessagesSuccess>();
        Assert.Equal(toSequenceNr, success.ToSequenceNr);
        return success;
    }

    [Fact]
    public void Does_not_replay_messages_deleted_by_a_range_deletion()
    {
        WriteFiveEvents();
        var replyProbe = CreateTestProbe();
        var subscriber = CreateTestProbe();
        Sys.EventStream.Subscribe(subscriber.Ref, typeof(DeleteMessagesTo));

        Journal.Tell(new DeleteMessagesTo(Pid, 3, replyProbe.Ref));

        var published = subscriber.ExpectMsg<DeleteMessagesTo>();
        Assert.Equal(Pid, published.PersistenceId);
        Assert.Equal(3, published.ToSequenceNr);
        Assert.Equal(3, replyProbe.ExpectMsg<DeleteMessagesSuccess>().ToSequenceNr);

        var (events, highest) = Replay(Pid);
        AssertTckEvents(events, Pid, 4, 5);
        Assert.Equal(5, highest);
        replyProbe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Does_not_reset_the_highest_sequence_number_after_deleting_some_messages()
    {
        WriteFiveEvents();
        var before = Replay(Pid, 0);
        AssertTckEvents(before.Events, Pid, 1, 2, 3, 4, 5);
        Assert.Equal(5, before.Highest);

        Delete(3);

        var after = Replay(Pid, 0);
        AssertTckEvents(after.Events, Pid, 4, 5);
        Assert.Equal(5, after.Highest);
    }

    [Fact]
    public void Does_not_reset_the_highest_sequence_number_after_deleting_all_messages()
    {
        WriteFiveEvents();
        Delete(long.MaxValue);

        var (events, highest) = Replay(Pid, 0);
        Assert.Empty(events);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Keeps_the_highest_sequence_number_after_deleting_all_messages_and_restarting_the_actor_system()
    {
        var first = StartSystem("deletion-first");
        try
        {
            WriteFiveEvents(JournalOf(first), first);
            var probe = CreateTestProbe(first);
            JournalOf(first).Tell(new DeleteMessagesTo(Pid, long.MaxValue, probe.Ref));
            Assert.Equal(long.MaxValue, probe.ExpectMsg<DeleteMessagesSuccess>().ToSequenceNr);
        }
        finally
        {
            Terminate(first);
        }
        Assert.True(File.Exists(DeletionsPath), "the deletion is recorded beside the event log");

        var second = StartSystem("deletion-second");
        try
        {
            var journal = JournalOf(second);
            var (events, highest) = Replay(journal, second, Pid, 0);
            Assert.Empty(events);
            Assert.Equal(5, highest);

            // The next event continues the numbering, and only it replays.
            WriteSuccessfully(journal, second, new AtomicWrite(Event("a-6", 6, Pid, WriterGuid)));
            var (after, highestAfter) = Replay(journal, second, Pid, 0);
            AssertTckEvents(after, Pid, 6);
            Assert.Equal(6, highestAfter);
        }
        finally
        {
            Terminate(second);
        }
    }

    [Fact]
    public void A_partial_deletion_survives_a_restart()
    {
        var first = StartSystem("partial-first");
        try
        {
            WriteFiveEvents(JournalOf(first), first);
            var probe = CreateTestProbe(first);
            JournalOf(first).Tell(new DeleteMessagesTo(Pid, 2, probe.Ref));
            probe.ExpectMsg<DeleteMessagesSuccess>();
        }
        finally
        {
            Terminate(first);
        }

        var second = StartSystem("partial-second");
        try
        {
            var (events, highest) = Replay(JournalOf(second), second, Pid, 0);
            AssertTckEvents(events, Pid, 3, 4, 5);
            Assert.Equal(5, highest);
        }
        finally
        {
            Terminate(second);
        }
    }

    [Fact]
    public void Deleting_beyond_the_highest_sequence_number_succeeds_and_does_not_hide_later_events()
    {
        WriteFiveEvents();
        Delete(10);

        var (events, highest) = Replay(Pid, 0);
        Assert.Empty(events);
        Assert.Equal(5, highest);

        // Events 6 and 7 are written after the deletion: a deletion only covers what existed when it was made.
        WriteSuccessfully(new AtomicWrite(Event("a-6", 6, Pid, WriterGuid)), new AtomicWrite(Event("a-7", 7, Pid, WriterGuid)));
        var (after, highestAfter) = Replay(Pid, 0);
        AssertTckEvents(after, Pid, 6, 7);
        Assert.Equal(7, highestAfter);
    }

    [Fact]
    public void Deleting_less_than_already_deleted_changes_nothing()
    {
        WriteFiveEvents();
        Delete(4);
        Delete(2);

        AssertTckEvents(Replay(Pid).Events, Pid, 5);
    }

    [Fact]
    public void Deleting_messages_of_a_persistence_id_that_has_none_succeeds()
    {
        var probe = CreateTestProbe();
        Journal.Tell(new DeleteMessagesTo("never-written", 3, probe.Ref));
        Assert.Equal(3, probe.ExpectMsg<DeleteMessagesSuccess>().ToSequenceNr);

        var (events, highest) = Replay("never-written");
        Assert.Empty(events);
        Assert.Equal(0, highest);
    }

    [Fact]
    public void Deletion_keeps_events_in_the_log_file_and_records_a_mark()
    {
        WriteFiveEvents();
        Delete(3);

        Assert.Equal([1L, 2, 3, 4, 5], ReadLines(EventLogPath(Pid)).Select(l => l.Seq));
        var mark = Assert.Single(ReadLines(DeletionsPath));
        Assert.Equal(Pid, mark.Pid);
        Assert.Equal(3, mark.Rec.GetProperty("deletedTo").GetInt64());
        Assert.Equal(5, mark.Rec.GetProperty("highestSeq").GetInt64());
    }
}
