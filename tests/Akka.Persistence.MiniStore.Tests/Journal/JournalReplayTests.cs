using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>The replay cases of the TCK's JournalSpec: events a-1..a-5, replayed with every kind of bound.</summary>
public class JournalReplayTests : JournalTestKit
{
    public JournalReplayTests(ITestOutputHelper output) : base(output)
    {
        WriteFiveEvents();
    }

    [Fact]
    public void Replays_all_messages()
    {
        var (events, highest) = Replay(Pid, 1, long.MaxValue, long.MaxValue);
        AssertTckEvents(events, Pid, 1, 2, 3, 4, 5);
        Assert.All(events, e => Assert.Equal(WriterGuid, e.WriterGuid));
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Replays_from_sequence_number_zero_like_a_recovering_actor()
    {
        var (events, highest) = Replay(Pid, 0, long.MaxValue, long.MaxValue);
        AssertTckEvents(events, Pid, 1, 2, 3, 4, 5);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Replays_using_a_lower_sequence_number_bound()
    {
        var (events, highest) = Replay(Pid, 3, long.MaxValue, long.MaxValue);
        AssertTckEvents(events, Pid, 3, 4, 5);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Replays_using_an_upper_sequence_number_bound()
    {
        var (events, highest) = Replay(Pid, 1, 3, long.MaxValue);
        AssertTckEvents(events, Pid, 1, 2, 3);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Replays_using_a_count_limit()
    {
        var (events, highest) = Replay(Pid, 1, long.MaxValue, 3);
        AssertTckEvents(events, Pid, 1, 2, 3);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Replays_using_lower_and_upper_sequence_number_bounds()
    {
        var (events, highest) = Replay(Pid, 2, 3, long.MaxValue);
        AssertTckEvents(events, Pid, 2, 3);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Replays_using_lower_and_upper_bounds_and_a_count_limit()
    {
        var (events, highest) = Replay(Pid, 2, 5, 2);
        AssertTckEvents(events, Pid, 2, 3);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Replays_inside_an_atomic_write_when_a_bound_splits_it()
    {
        // 4 and 5 were written as one atomic batch; bounds and limits still apply per event.
        AssertTckEvents(Replay(Pid, 5, long.MaxValue, long.MaxValue).Events, Pid, 5);
        AssertTckEvents(Replay(Pid, 1, 4, long.MaxValue).Events, Pid, 1, 2, 3, 4);
        AssertTckEvents(Replay(Pid, 3, long.MaxValue, 2).Events, Pid, 3, 4);
    }

    [Fact]
    public void Replays_a_single_message_if_lower_bound_equals_upper_bound()
    {
        var (events, highest) = Replay(Pid, 2, 2, long.MaxValue);
        AssertTckEvents(events, Pid, 2);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Replays_a_single_message_if_count_limit_is_one()
    {
        var (events, highest) = Replay(Pid, 2, 4, 1);
        AssertTckEvents(events, Pid, 2);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Does_not_replay_if_count_limit_is_zero()
    {
        var (events, highest) = Replay(Pid, 2, 4, 0);
        Assert.Empty(events);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Does_not_replay_if_lower_bound_is_greater_than_upper_bound()
    {
        var (events, highest) = Replay(Pid, 3, 2, long.MaxValue);
        Assert.Empty(events);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Does_not_replay_if_lower_bound_is_above_the_highest_sequence_number()
    {
        var (events, highest) = Replay(Pid, 6, long.MaxValue, long.MaxValue);
        Assert.Empty(events);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Does_not_replay_if_the_persistent_actor_has_not_written_messages()
    {
        var (events, highest) = Replay("non-existing-pid", 0, long.MaxValue, long.MaxValue);
        Assert.Empty(events);
        Assert.Equal(0, highest);
    }

    [Fact]
    public void Replay_returns_the_highest_sequence_number_even_when_bounds_exclude_it()
    {
        Assert.Equal(5, Replay(Pid, 1, 1, long.MaxValue).Highest);
        Assert.Equal(5, Replay(Pid, 1, long.MaxValue, 1).Highest);
        Assert.Equal(5, Replay(Pid, 0, 0, long.MaxValue).Highest);
    }

    [Fact]
    public void Replay_of_one_persistence_id_does_not_include_events_of_another()
    {
        var other = "other-" + Pid;
        WriteSuccessfully(new AtomicWrite(Event("b-1", 1, other, WriterGuid)), new AtomicWrite(Event("b-2", 2, other, WriterGuid)));

        AssertTckEvents(Replay(Pid).Events, Pid, 1, 2, 3, 4, 5);
        var (events, highest) = Replay(other);
        Assert.Equal(["b-1", "b-2"], events.Select(e => (string)e.Payload));
        Assert.All(events, e => Assert.Equal(other, e.PersistenceId));
        Assert.Equal(2, highest);
    }

    [Fact]
    public void Later_writes_are_appended_and_replayed_in_order()
    {
        WriteSuccessfully(new AtomicWrite(Event("a-6", 6, Pid, WriterGuid)));
        WriteSuccessfully(Atomic(Event("a-7", 7, Pid, WriterGuid), Event("a-8", 8, Pid, WriterGuid)));

        var (events, highest) = Replay(Pid);
        AssertTckEvents(events, Pid, 1, 2, 3, 4, 5, 6, 7, 8);
        Assert.Equal(8, highest);
    }
}
