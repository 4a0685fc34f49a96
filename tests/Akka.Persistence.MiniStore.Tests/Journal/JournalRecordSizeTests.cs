using Akka.Persistence.MiniStore.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>max-record-size: an event too large to store is rejected on its own; the rest of the call is written.</summary>
public class JournalRecordSizeTests : JournalTestKit
{
    private const int MaxRecordSize = 2048;
    private const int MaxFraming = 38; // the most MiniStore puts around a record on its line

    public JournalRecordSizeTests(ITestOutputHelper output)
        : base(output, $"akka.persistence.journal.ministore.max-record-size = {MaxRecordSize}")
    {
    }

    [Fact]
    public void An_oversized_event_is_rejected_while_the_other_writes_of_the_call_succeed()
    {
        var other = "other-" + Pid;
        var replies = Write(
            new AtomicWrite(Event("small-1", 1, Pid, WriterGuid)),
            new AtomicWrite(Event(new string('x', 3 * MaxRecordSize), 2, Pid, WriterGuid)),
            new AtomicWrite(Event("small-3", 3, Pid, WriterGuid)),
            new AtomicWrite(Event("elsewhere", 1, other, WriterGuid)));

        Assert.IsType<WriteMessageSuccess>(replies[0]);
        var rejected = Assert.IsType<WriteMessageRejected>(replies[1]);
        Assert.Equal(2, rejected.Persistent.SequenceNr);
        Assert.IsType<PayloadNotStorableException>(rejected.Cause);
        Assert.Contains($"'{Pid}'", rejected.Cause.Message);
        Assert.Contains("max-record-size", rejected.Cause.Message);
        Assert.IsType<WriteMessageSuccess>(replies[2]);
        Assert.IsType<WriteMessageSuccess>(replies[3]);

        var (events, highest) = Replay(Pid);
        Assert.Equal(["small-1", "small-3"], events.Select(e => (string)e.Payload));
        Assert.Equal(3, highest);
        Assert.Equal(["elsewhere"], Replay(other).Events.Select(e => (string)e.Payload));
        Assert.All(ReadLines(EventLogPath(Pid)), l => Assert.True(l.Text.Length + 1 <= MaxRecordSize));
    }

    [Fact]
    public void An_atomic_write_with_one_oversized_event_is_rejected_whole()
    {
        var replies = Write(Atomic(Event("a", 1, Pid, WriterGuid), Event(new string('y', 3 * MaxRecordSize), 2, Pid, WriterGuid)));

        Assert.All(replies, r => Assert.IsType<WriteMessageRejected>(r));
        Assert.Empty(Replay(Pid).Events);

        WriteSuccessfully(new AtomicWrite(Event("b", 3, Pid, WriterGuid)));
        Assert.Equal(["b"], Replay(Pid).Events.Select(e => (string)e.Payload));
    }

    [Fact]
    public void The_largest_record_the_limit_allows_is_stored_and_one_byte_more_is_rejected()
    {
        // Measure the record of an empty string payload; the payload adds one byte per 'x'.
        string probeId = Pid + "a", fitsId = Pid + "b", tooBigId = Pid + "c";
        WriteSuccessfully(new AtomicWrite(Event("", 1, probeId, WriterGuid)));
        var line = Assert.Single(ReadLines(EventLogPath(probeId))).Text;
        int emptyRecordLength = line.Length - "{\"crc\":\"01234567\",\"rec\":".Length - "}".Length;
        int largestPayload = MaxRecordSize - MaxFraming - emptyRecordLength;

        WriteSuccessfully(new AtomicWrite(Event(new string('x', largestPayload), 1, fitsId, WriterGuid)));
        var stored = Assert.Single(ReadLines(EventLogPath(fitsId)));
        Assert.Equal(MaxRecordSize - MaxFraming, stored.Text.Length - (line.Length - emptyRecordLength));
        Assert.Equal(largestPayload, ((string)Assert.Single(Replay(fitsId).Events).Payload).Length);

        var reply = Assert.Single(Write(new AtomicWrite(Event(new string('x', largestPayload + 1), 1, tooBigId, WriterGuid))));
        Assert.IsType<WriteMessageRejected>(reply);
        Assert.Empty(Replay(tooBigId).Events);
    }
}
