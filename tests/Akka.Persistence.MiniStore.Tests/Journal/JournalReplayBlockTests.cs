using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// A replay hands events to Akka in blocks (of up to 256): longer logs, bounds and count limits that do not fall on a
/// block's edge, and damage after a full block all replay exactly what one event at a time did.
/// </summary>
public class JournalReplayBlockTests : JournalTestKit
{
    private const int Events = 600;

    public JournalReplayBlockTests(ITestOutputHelper output) : base(output)
    {
        for (int from = 1; from <= Events; from += 100)
            WriteSuccessfully(Atomic(Enumerable.Range(from, 100).Select(n => Event("a-" + n, n, Pid, WriterGuid)).ToArray()));
    }

    private static long[] Range(long from, long to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(n => (long)n).ToArray();

    [Theory]
    [InlineData(1, long.MaxValue, long.MaxValue, 1, Events)]
    [InlineData(250, 520, long.MaxValue, 250, 520)]
    [InlineData(1, long.MaxValue, 257, 1, 257)]
    [InlineData(256, long.MaxValue, 256, 256, 511)]
    [InlineData(3, 600, 513, 3, 515)]
    public void Replays_a_log_longer_than_a_block_with_every_kind_of_bound(long from, long to, long max, long first, long last)
    {
        var (events, highest) = Replay(Pid, from, to, max);
        AssertTckEvents(events, Pid, Range(first, last));
        Assert.Equal(Events, highest);
    }

    [Fact]
    public void Events_read_before_damage_past_a_block_reach_the_actor_before_the_failure()
    {
        string path = EventLogPath(Pid);
        var lines = File.ReadAllLines(path);
        lines[399] = lines[399].Replace(lines[399][8..16], "00000000"); // line 400, the last of the atomic write 301-400: valid JSON, wrong checksum
        File.WriteAllText(path, string.Join("\n", lines) + "\n");

        // Same length, rewritten in place: the journal that wrote the log replays it from the file.
        var probe = CreateTestProbe();
        Journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, Pid, probe.Ref));
        // The atomic writes before the damaged one (events 1-300; 256 of them a full block) arrive, then the failure.
        for (long n = 1; n <= 300; n++)
            Assert.Equal(n, probe.ExpectMsg<ReplayedMessage>().Persistent.SequenceNr);
        var failure = probe.ExpectMsg<ReplayMessagesFailure>();
        Assert.Contains($"'{path}'", failure.Cause.Message);
        Assert.Contains("line 400", failure.Cause.Message);
        Assert.Contains($"persistence id '{Pid}'", failure.Cause.Message);
        Assert.Contains("checksum mismatch", failure.Cause.Message);
    }

    [Fact]
    public void An_event_adapter_that_throws_inside_a_block_fails_the_replay_with_its_own_exception()
    {
        const string refused = "refused-pid";
        WriteSuccessfully(Atomic(Enumerable.Range(1, 300).Select(n => Event(new Numbered(n), n, refused, WriterGuid)).ToArray()));

        var probe = CreateTestProbe();
        Journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, refused, probe.Ref));
        for (long n = 1; n < RefusingAdapter.Refused; n++)
            Assert.Equal(n, probe.ExpectMsg<ReplayedMessage>().Persistent.SequenceNr);
        var failure = probe.ExpectMsg<ReplayMessagesFailure>();
        Assert.Contains($"the adapter refuses event {RefusingAdapter.Refused}", failure.Cause.Message);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing of the block delivered again
    }
}
