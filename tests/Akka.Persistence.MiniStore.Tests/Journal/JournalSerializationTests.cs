using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Persistence.Fsm;
using Akka.Persistence.Journal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// The TCK's JournalSerializationSpec and the serialization part of JournalSpec, plus MiniStore's storage forms:
/// bound serializers (id, manifest, bytes), inline JSON for unbound types, tags, and the Persistent envelope fields.
/// </summary>
public class JournalSerializationTests : JournalTestKit
{
    public JournalSerializationTests(ITestOutputHelper output) : base(output) { }

    private StoredLine StoredLineOf(long sequenceNr) => Assert.Single(ReadLines(EventLogPath(Pid)), l => l.Seq == sequenceNr);

    [Fact]
    public void Serializes_a_string_payload()
    {
        WriteSuccessfully(new AtomicWrite(Event("string payload", 1, Pid, WriterGuid)));

        var replayed = Assert.Single(Replay(Pid, 0, 1).Events);
        Assert.Equal("string payload", replayed.Payload);
        Assert.Equal(Pid, replayed.PersistenceId);
        Assert.Equal(1, replayed.SequenceNr);
        var rec = StoredLineOf(1).Rec;
        Assert.Equal(JsonValueKind.String, rec.GetProperty("payload").ValueKind);
        Assert.Equal("string payload", rec.GetProperty("payload").GetString());
    }

    [Fact]
    public void Serializes_a_payload_carrying_an_actor_ref_with_its_bound_serializer()
    {
        // The TCK's Journal_should_serialize_events: the payload's serializer demands transport information.
        var probe = CreateTestProbe();
        var payload = new ActorRefPayload(probe.Ref);
        var writeProbe = CreateTestProbe();
        Journal.Tell(new WriteMessages([new AtomicWrite(Event(payload, 1, Pid, WriterGuid))], writeProbe.Ref, ActorInstanceId));
        writeProbe.ExpectMsg<WriteMessagesSuccessful>();
        var success = writeProbe.ExpectMsg<WriteMessageSuccess>();
        Assert.Equal(WriterGuid, success.Persistent.WriterGuid);
        Assert.Equal(Pid, success.Persistent.PersistenceId);
        Assert.Equal(1, success.Persistent.SequenceNr);
        Assert.True(success.Persistent.Sender is null || success.Persistent.Sender.Equals(ActorRefs.NoSender) || success.Persistent.Sender.Equals(Sys.DeadLetters));
        Assert.Equal(payload, success.Persistent.Payload);

        var (events, highest) = Replay(Pid);
        var replayed = Assert.Single(events);
        Assert.Equal(WriterGuid, replayed.WriterGuid);
        Assert.Equal(Pid, replayed.PersistenceId);
        Assert.Equal(1, replayed.SequenceNr);
        Assert.True(replayed.Sender is null || replayed.Sender.Equals(ActorRefs.NoSender) || replayed.Sender.Equals(Sys.DeadLetters));
        Assert.Equal(payload, replayed.Payload);
        Assert.Equal(1, highest);

        // The replayed reference is live: it reaches the probe.
        ((ActorRefPayload)replayed.Payload).Ref.Tell("ping");
        probe.ExpectMsg("ping");

        var rec = StoredLineOf(1).Rec;
        Assert.Equal(47110, rec.GetProperty("serializerId").GetInt32());
        Assert.Equal("R", rec.GetProperty("serializerManifest").GetString());
        Assert.Contains(probe.Ref.Path.Name, Encoding.UTF8.GetString(rec.GetProperty("bytes").GetBytesFromBase64()));
        Assert.False(rec.TryGetProperty("payload", out _));
    }

    [Fact]
    public void Honours_a_string_manifest_serializer_binding()
    {
        WriteSuccessfully(
            new AtomicWrite(Event(new Deposit("acc-1", 12.50m), 1, Pid, WriterGuid)),
            new AtomicWrite(Event(new Withdrawal("acc-1", 2.25m), 2, Pid, WriterGuid)));

        var events = Replay(Pid).Events;
        var deposit = Assert.IsType<Deposit>(events[0].Payload);
        Assert.Equal(("acc-1", 12.50m, "acc-1:12.50"), (deposit.Account, deposit.Amount, deposit.Reference));
        Assert.Equal(LedgerSerializer.DepositManifest, deposit.ReadWithManifest);
        var withdrawal = Assert.IsType<Withdrawal>(events[1].Payload);
        Assert.Equal(("acc-1", 2.25m), (withdrawal.Account, withdrawal.Amount));
        Assert.Equal(LedgerSerializer.WithdrawalManifest, withdrawal.ReadWithManifest);

        var first = StoredLineOf(1).Rec;
        Assert.Equal(47111, first.GetProperty("serializerId").GetInt32());
        Assert.Equal(LedgerSerializer.DepositManifest, first.GetProperty("serializerManifest").GetString());
        Assert.Equal("acc-1|12.50", Encoding.UTF8.GetString(first.GetProperty("bytes").GetBytesFromBase64()));
        Assert.False(first.TryGetProperty("payloadType", out _));
        Assert.Equal(LedgerSerializer.WithdrawalManifest, StoredLineOf(2).Rec.GetProperty("serializerManifest").GetString());
    }

    [Fact]
    public void Honours_a_classic_serializer_that_includes_the_type_as_manifest()
    {
        WriteSuccessfully(new AtomicWrite(Event(new LegacyPayload("old"), 1, Pid, WriterGuid)));

        var replayed = Assert.IsType<LegacyPayload>(Assert.Single(Replay(Pid).Events).Payload);
        Assert.Equal("old!", replayed.Data); // read by TypeManifestSerializer, not by JSON

        var rec = StoredLineOf(1).Rec;
        Assert.Equal(47112, rec.GetProperty("serializerId").GetInt32());
        Assert.Equal(typeof(LegacyPayload), Type.GetType(rec.GetProperty("serializerManifest").GetString()!));
    }

    [Fact]
    public void Serializes_a_persistent_FSM_state_change_with_Akkas_own_serializer()
    {
#pragma warning disable CS0618 // PersistentFSM is obsolete, but the TCK still covers its events
        var change = new PersistentFSM.StateChangeEvent("init", TimeSpan.FromSeconds(342));
        WriteSuccessfully(new AtomicWrite(new Persistent(change, 1, Pid)));

        var replayed = Assert.IsType<PersistentFSM.StateChangeEvent>(Assert.Single(Replay(Pid, 0, 1).Events).Payload);
        Assert.Equal("init", replayed.StateIdentifier);
        Assert.Equal(TimeSpan.FromSeconds(342), replayed.Timeout);
#pragma warning restore CS0618
        Assert.True(StoredLineOf(1).Rec.TryGetProperty("serializerId", out _));
    }

    [Fact]
    public void Preserves_an_event_adapter_manifest()
    {
        // AccountRenamed is bound to RenameAdapter, whose Manifest() the journal base class stores in the Persistent.
        WriteSuccessfully(new AtomicWrite(Event(new AccountRenamed("Ada"), 1, Pid, WriterGuid)));

        Assert.Equal(RenameAdapter.ManifestV3, StoredLineOf(1).Rec.GetProperty("manifest").GetString());
        var replayed = Assert.Single(Replay(Pid).Events);
        Assert.Equal(RenameAdapter.ManifestV3, replayed.Manifest);
        Assert.Equal(new AccountRenamedFromJournal("Ada", RenameAdapter.ManifestV3), replayed.Payload);
    }

    [Fact]
    public void Preserves_the_manifest_of_a_persistent_written_without_an_adapter()
    {
        WriteSuccessfully(
            new AtomicWrite(Event("with manifest", 1, Pid, WriterGuid, manifest: "First-Manifest")),
            new AtomicWrite(Event("without manifest", 2, Pid, WriterGuid)));

        var events = Replay(Pid).Events;
        Assert.Equal("First-Manifest", events[0].Manifest);
        Assert.Equal("", events[1].Manifest ?? "");
    }

    [Fact]
    public void Replays_the_fields_of_the_persistent_envelope()
    {
        long before = DateTime.UtcNow.Ticks;
        var sender = CreateTestProbe().Ref;
        WriteSuccessfully(
            new AtomicWrite(new Persistent("one", 1, Pid, "m-1", isDeleted: false, sender: sender, writerGuid: "writer-A")),
            Atomic(
                new Persistent("two", 2, Pid, "m-2", isDeleted: false, sender: sender, writerGuid: "writer-A"),
                new Persistent("three", 3, Pid, "", isDeleted: false, sender: ActorRefs.NoSender, writerGuid: "writer-B")));
        long after = DateTime.UtcNow.Ticks;

        var events = Replay(Pid).Events;
        Assert.Equal(["one", "two", "three"], events.Select(e => (string)e.Payload));
        Assert.Equal([1L, 2, 3], events.Select(e => e.SequenceNr));
        Assert.All(events, e => Assert.Equal(Pid, e.PersistenceId));
        Assert.Equal(["writer-A", "writer-A", "writer-B"], events.Select(e => e.WriterGuid));
        Assert.Equal(["m-1", "m-2", ""], events.Select(e => e.Manifest));
        Assert.All(events, e => Assert.False(e.IsDeleted));
        Assert.All(events, e => Assert.True(e.Sender is null || e.Sender.Equals(ActorRefs.NoSender), "the sender is not stored"));
        Assert.All(events, e => Assert.InRange(e.Timestamp, before, after));

        // The timestamp is stored to the tick and replays identically every time.
        var again = Replay(Pid).Events;
        Assert.Equal(events.Select(e => e.Timestamp), again.Select(e => e.Timestamp));
        foreach (var line in ReadLines(EventLogPath(Pid)))
        {
            var ts = DateTime.Parse(line.Rec.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
            Assert.Equal(DateTimeKind.Utc, ts.Kind);
            Assert.Equal(events.Single(e => e.SequenceNr == line.Seq).Timestamp, ts.Ticks);
        }
    }

    [Fact]
    public void Stores_a_record_as_inline_JSON_and_replays_it()
    {
        var at = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.FromHours(2));
        var item = new ItemAdded("sku-9", 3, 19.99m, at, ["gift", "fragile"], new PostalAddress("1 Main St", "Springfield"));
        WriteSuccessfully(new AtomicWrite(Event(item, 1, Pid, WriterGuid)));

        var rec = StoredLineOf(1).Rec;
        var payload = rec.GetProperty("payload");
        Assert.Equal(JsonValueKind.Object, payload.ValueKind);
        Assert.Equal("sku-9", payload.GetProperty("Sku").GetString());
        Assert.Equal(3, payload.GetProperty("Quantity").GetInt32());
        Assert.Equal("Springfield", payload.GetProperty("ShipTo").GetProperty("City").GetString());
        Assert.Equal(typeof(ItemAdded), Type.GetType(rec.GetProperty("payloadType").GetString()!));
        Assert.False(rec.TryGetProperty("bytes", out _));
        AssertSameItem(item, payload.Deserialize<ItemAdded>()!);

        var replayed = Assert.IsType<ItemAdded>(Assert.Single(Replay(Pid).Events).Payload);
        AssertSameItem(item, replayed);

        static void AssertSameItem(ItemAdded expected, ItemAdded actual)
        {
            Assert.Equal(expected.Sku, actual.Sku);
            Assert.Equal(expected.Quantity, actual.Quantity);
            Assert.Equal(expected.Price, actual.Price);
            Assert.Equal(expected.At, actual.At);
            Assert.Equal(expected.At.Offset, actual.At.Offset);
            Assert.Equal(expected.Labels, actual.Labels);
            Assert.Equal(expected.ShipTo, actual.ShipTo);
        }
    }

    [Fact]
    public void Stores_a_class_with_init_setters_as_inline_JSON_and_replays_it()
    {
        var customer = new CustomerRegistered
        {
            Name = "Grace",
            Email = null,
            Age = 37,
            Id = Guid.NewGuid(),
            Scores = new() { ["a"] = 1, ["b"] = 2 },
            Home = new PostalAddress("2 Elm St", "Shelbyville"),
        };
        WriteSuccessfully(new AtomicWrite(Event(customer, 1, Pid, WriterGuid)));

        var payload = StoredLineOf(1).Rec.GetProperty("payload");
        Assert.Equal(JsonValueKind.Object, payload.ValueKind);
        Assert.Equal("Grace", payload.GetProperty("Name").GetString());
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("Email").ValueKind);
        AssertSameCustomer(customer, payload.Deserialize<CustomerRegistered>()!);

        AssertSameCustomer(customer, Assert.IsType<CustomerRegistered>(Assert.Single(Replay(Pid).Events).Payload));

        static void AssertSameCustomer(CustomerRegistered expected, CustomerRegistered actual)
        {
            Assert.Equal(expected.Name, actual.Name);
            Assert.Equal(expected.Email, actual.Email);
            Assert.Equal(expected.Age, actual.Age);
            Assert.Equal(expected.Id, actual.Id);
            Assert.Equal(expected.Scores, actual.Scores);
            Assert.Equal(expected.Home, actual.Home);
        }
    }

    [Fact]
    public void Stores_the_tags_of_a_tagged_payload_and_replays_the_inner_payload()
    {
        WriteSuccessfully(
            new AtomicWrite(Event(new Tagged(new ItemAdded("s-1", 1, 1m, DateTimeOffset.UnixEpoch, [], null), ["orders", "eu"]), 1, Pid, WriterGuid)),
            new AtomicWrite(Event(new Tagged(new Deposit("acc", 5m), ["ledger"]), 2, Pid, WriterGuid)),
            new AtomicWrite(Event("untagged", 3, Pid, WriterGuid)));

        var lines = ReadLines(EventLogPath(Pid));
        Assert.Equal(["eu", "orders"], lines[0].Rec.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Order());
        Assert.Equal(typeof(ItemAdded), Type.GetType(lines[0].Rec.GetProperty("payloadType").GetString()!));
        Assert.Equal("s-1", lines[0].Rec.GetProperty("payload").GetProperty("Sku").GetString());
        Assert.Equal(["ledger"], lines[1].Rec.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(47111, lines[1].Rec.GetProperty("serializerId").GetInt32());
        Assert.Empty(lines[2].Rec.GetProperty("tags").EnumerateArray());
        Assert.DoesNotContain(lines, l => l.Text.Contains("Tagged"));

        var events = Replay(Pid).Events;
        Assert.Equal("s-1", Assert.IsType<ItemAdded>(events[0].Payload).Sku);
        Assert.Equal("acc", Assert.IsType<Deposit>(events[1].Payload).Account);
        Assert.Equal("untagged", events[2].Payload);
    }

    [Fact]
    public void Serialized_payloads_replay_after_a_restart_of_the_actor_system()
    {
        var first = StartSystem("serialization-first");
        try
        {
            WriteSuccessfully(JournalOf(first), first,
                new AtomicWrite(Event(new Deposit("acc-2", 7m), 1, Pid, WriterGuid)),
                new AtomicWrite(Event(new ItemAdded("sku", 1, 2m, DateTimeOffset.UnixEpoch, ["x"], null), 2, Pid, WriterGuid)),
                new AtomicWrite(Event(new AccountRenamed("Bob"), 3, Pid, WriterGuid)));
        }
        finally
        {
            Terminate(first);
        }

        var second = StartSystem("serialization-second");
        try
        {
            var (events, highest) = Replay(JournalOf(second), second, Pid);
            Assert.Equal(3, highest);
            Assert.Equal(7m, Assert.IsType<Deposit>(events[0].Payload).Amount);
            Assert.Equal(["x"], Assert.IsType<ItemAdded>(events[1].Payload).Labels);
            Assert.Equal(new AccountRenamedFromJournal("Bob", RenameAdapter.ManifestV3), events[2].Payload);
        }
        finally
        {
            Terminate(second);
        }
    }
}
