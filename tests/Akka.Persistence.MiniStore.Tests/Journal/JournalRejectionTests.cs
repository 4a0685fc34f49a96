using Akka.Actor;
using Akka.Persistence.MiniStore.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// Events that cannot be stored faithfully are rejected (WriteMessageRejected, so the persistent actor's
/// OnPersistRejected runs and it keeps going), are not stored, and do not disturb other writes.
/// </summary>
public class JournalRejectionTests : JournalTestKit
{
    public JournalRejectionTests(ITestOutputHelper output) : base(output) { }

    private static readonly Dictionary<string, Func<object>> UnsafeEventFactories = new()
    {
        [nameof(PrivateSetterEvent)] = () => new PrivateSetterEvent("s3cr3t"),
        [nameof(GetOnlyEvent)] = () => new GetOnlyEvent("o-17"),
        [nameof(PublicFieldEvent)] = () => new PublicFieldEvent { Counter = 3, Label = "x" },
        [nameof(ObjectMemberEvent)] = () => new ObjectMemberEvent { Value = 42 },
        [nameof(InterfaceMemberEvent)] = () => new InterfaceMemberEvent { Shape = new Square { Side = 2 } },
    };

    public static TheoryData<string, string, string> UnsafeEvents => new()
    {
        // event type, member named in the message, what the message says about it
        { nameof(PrivateSetterEvent), "Secret", "no public setter" },
        { nameof(GetOnlyEvent), "ShippedVia", "no public setter and no matching constructor parameter" },
        { nameof(PublicFieldEvent), "Counter", "public field" },
        { nameof(ObjectMemberEvent), "Value", "Object" },
        { nameof(InterfaceMemberEvent), "Shape", "IShape" },
    };

    [Fact]
    public void Rejects_a_non_serializable_event_while_the_other_writes_of_the_batch_succeed()
    {
        // The TCK's case: 6 and 8 are fine, 7 cannot be serialized; all three in one WriteMessages.
        WriteFiveEvents();
        var writes = Enumerable.Range(6, 3).Select(i => new AtomicWrite(Event(i == 7 ? new NotSerializableEvent(false) : "b-" + i, i, Pid, WriterGuid))).ToArray();

        var replies = Write(writes);

        var six = Assert.IsType<WriteMessageSuccess>(replies[0]);
        Assert.Equal(6, six.Persistent.SequenceNr);
        Assert.Equal("b-6", six.Persistent.Payload);
        Assert.Equal(WriterGuid, six.Persistent.WriterGuid);
        Assert.Equal(Pid, six.Persistent.PersistenceId);

        var seven = Assert.IsType<WriteMessageRejected>(replies[1]);
        Assert.Equal(7, seven.Persistent.SequenceNr);
        Assert.Equal(Pid, seven.Persistent.PersistenceId);
        Assert.Equal(WriterGuid, seven.Persistent.WriterGuid);
        Assert.IsType<NotSerializableEvent>(seven.Persistent.Payload);
        Assert.IsType<PayloadNotStorableException>(seven.Cause);
        Assert.Equal(ActorInstanceId, seven.ActorInstanceId);

        var eight = Assert.IsType<WriteMessageSuccess>(replies[2]);
        Assert.Equal(8, eight.Persistent.SequenceNr);
        Assert.Equal("b-8", eight.Persistent.Payload);

        var (events, highest) = Replay(Pid);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 8], events.Select(e => e.SequenceNr));
        Assert.Equal(["a-1", "a-2", "a-3", "a-4", "a-5", "b-6", "b-8"], events.Select(e => (string)e.Payload));
        Assert.Equal(8, highest);
    }

    [Fact]
    public void Keeps_working_after_a_rejection()
    {
        var rejected = Assert.IsType<WriteMessageRejected>(Assert.Single(Write(new AtomicWrite(Event(new NotSerializableEvent(true), 1, Pid, WriterGuid)))));
        Assert.Equal(1, rejected.Persistent.SequenceNr);

        // A persistent actor moves on to the next number after OnPersistRejected; so does this writer.
        WriteSuccessfully(new AtomicWrite(Event("after-1", 2, Pid, WriterGuid)));
        WriteSuccessfully(Atomic(Event("after-2", 3, Pid, WriterGuid), Event("after-3", 4, Pid, WriterGuid)));
        WriteSuccessfully(new AtomicWrite(Event("elsewhere", 1, "other-" + Pid, WriterGuid)));

        var (events, highest) = Replay(Pid);
        Assert.Equal(["after-1", "after-2", "after-3"], events.Select(e => (string)e.Payload));
        Assert.Equal(4, highest);
        Assert.Equal(["elsewhere"], Replay("other-" + Pid).Events.Select(e => (string)e.Payload));
    }

    [Fact]
    public void Rejects_a_whole_atomic_write_when_one_of_its_events_is_not_storable()
    {
        WriteSuccessfully(new AtomicWrite(Event("ok-1", 1, Pid, WriterGuid)));

        var replies = Write(Atomic(Event("ok-2", 2, Pid, WriterGuid), Event(new PrivateSetterEvent("x"), 3, Pid, WriterGuid), Event("ok-4", 4, Pid, WriterGuid)));

        Assert.Equal(3, replies.Count);
        Assert.All(replies, r => Assert.IsType<WriteMessageRejected>(r));
        Assert.Equal([2L, 3, 4], replies.Cast<WriteMessageRejected>().Select(r => r.Persistent.SequenceNr));
        var (events, highest) = Replay(Pid);
        Assert.Equal(["ok-1"], events.Select(e => (string)e.Payload));
        Assert.Equal(1, highest);
        Assert.Single(ReadLines(EventLogPath(Pid)));
    }

    [Fact]
    public void Rejects_an_event_whose_bound_serializer_fails()
    {
        var replies = Write(
            new AtomicWrite(Event("before", 1, Pid, WriterGuid)),
            new AtomicWrite(Event(new ExplodingPayload(), 2, Pid, WriterGuid)),
            new AtomicWrite(Event("after", 3, Pid, WriterGuid)));

        Assert.IsType<WriteMessageSuccess>(replies[0]);
        var rejected = Assert.IsType<WriteMessageRejected>(replies[1]);
        Assert.IsType<PayloadNotStorableException>(rejected.Cause);
        Assert.Contains("ExplodingSerializer refuses everything", rejected.Cause.Message);
        Assert.Contains(Pid, rejected.Cause.Message);
        Assert.IsType<WriteMessageSuccess>(replies[2]);

        Assert.Equal(["before", "after"], Replay(Pid).Events.Select(e => (string)e.Payload));
    }

    [Fact]
    public void Rejects_an_event_whose_converter_writes_a_raw_line_break_and_stores_the_others()
    {
        var replies = Write(
            new AtomicWrite(Event("before", 1, Pid, WriterGuid)),
            new AtomicWrite(Event(new PrettyPrinted(7), 2, Pid, WriterGuid)),
            new AtomicWrite(Event("after", 3, Pid, WriterGuid)));

        Assert.IsType<WriteMessageSuccess>(replies[0]);
        var rejected = Assert.IsType<WriteMessageRejected>(replies[1]);
        var cause = Assert.IsType<PayloadNotStorableException>(rejected.Cause);
        Assert.Contains("raw line break", cause.Message);
        Assert.Contains(typeof(PrettyPrinted).FullName!, cause.Message);
        Assert.Contains($"'{Pid}'", cause.Message);
        Assert.IsType<WriteMessageSuccess>(replies[2]);

        Assert.Equal([1L, 3], ReadLines(EventLogPath(Pid)).Select(l => l.Seq));
        Assert.Equal(2, File.ReadAllLines(EventLogPath(Pid)).Length); // no half record on a line of its own
        Assert.Equal(["before", "after"], Replay(Pid).Events.Select(e => (string)e.Payload));
    }

    [Theory]
    [MemberData(nameof(UnsafeEvents))]
    public void Rejects_an_event_type_System_Text_Json_would_not_round_trip_and_does_not_store_it(string typeName, string member, string reason)
    {
        var unsafeEvent = UnsafeEventFactories[typeName]();
        var type = unsafeEvent.GetType();
        WriteSuccessfully(new AtomicWrite(Event("first", 1, Pid, WriterGuid)));

        var replies = Write(new AtomicWrite(Event(unsafeEvent, 2, Pid, WriterGuid)), new AtomicWrite(Event("third", 3, Pid, WriterGuid)));

        var rejected = Assert.IsType<WriteMessageRejected>(replies[0]);
        Assert.Same(unsafeEvent, rejected.Persistent.Payload);
        var cause = Assert.IsType<PayloadNotStorableException>(rejected.Cause);
        Output.WriteLine(cause.Message);
        Assert.Contains(type.FullName!, cause.Message);
        Assert.Contains($"{type.Name}.{member}", cause.Message);
        Assert.Contains(reason, cause.Message);
        Assert.Contains($"'{Pid}'", cause.Message);
        Assert.IsType<WriteMessageSuccess>(replies[1]);

        var lines = ReadLines(EventLogPath(Pid));
        Assert.Equal([1L, 3], lines.Select(l => l.Seq));
        Assert.DoesNotContain(lines, l => l.Text.Contains(type.Name));
        var (events, highest) = Replay(Pid);
        Assert.Equal(["first", "third"], events.Select(e => (string)e.Payload));
        Assert.Equal(3, highest);
    }

    [Fact]
    public void A_rejected_first_event_leaves_nothing_to_replay()
    {
        var rejected = Assert.IsType<WriteMessageRejected>(Assert.Single(Write(new AtomicWrite(Event(new PublicFieldEvent { Counter = 1 }, 1, Pid, WriterGuid)))));
        Assert.Contains("PublicFieldEvent.Counter", rejected.Cause.Message);

        var (events, highest) = Replay(Pid);
        Assert.Empty(events);
        Assert.Equal(0, highest);
        Assert.True(!File.Exists(EventLogPath(Pid)) || ReadLines(EventLogPath(Pid)).Count == 0);
    }

    [Fact]
    public void The_same_unsafe_type_is_rejected_every_time()
    {
        // The round-trip verdict is cached per type; the cached answer must still reject.
        for (int i = 1; i <= 3; i++)
        {
            var reply = Assert.Single(Write(new AtomicWrite(Event(new GetOnlyEvent("o-" + i), i, Pid, WriterGuid))));
            var rejected = Assert.IsType<WriteMessageRejected>(reply);
            Assert.Contains("GetOnlyEvent.ShippedVia", rejected.Cause.Message);
        }
        Assert.Empty(Replay(Pid).Events);
    }

    [Fact]
    public void Rejected_write_reply_goes_to_the_writer_with_no_sender_in_the_persistent()
    {
        var probe = CreateTestProbe();
        Journal.Tell(new WriteMessages([new AtomicWrite(Event(new NotSerializableEvent(false), 1, Pid, WriterGuid))], probe.Ref, 42));
        probe.ExpectMsg<WriteMessagesSuccessful>();
        var rejected = probe.ExpectMsg<WriteMessageRejected>();
        Assert.Equal(42, rejected.ActorInstanceId);
        Assert.True(rejected.Persistent.Sender is null || rejected.Persistent.Sender.Equals(ActorRefs.NoSender));
    }
}
