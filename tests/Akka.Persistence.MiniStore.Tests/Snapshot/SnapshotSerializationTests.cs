using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Persistence.Fsm;
using Akka.Serialization;
using Akka.Util;
using Xunit;
using Xunit.Abstractions;
using AkkaSerialization = Akka.Serialization.Serialization;

namespace Akka.Persistence.MiniStore.Tests.Snapshot;

/// <summary>
/// The behaviours checked by Akka.Persistence.TCK's <c>SnapshotStoreSerializationSpec</c> and the serialization part
/// of <c>SnapshotStoreSpec</c>: payload types bound to an Akka serializer are stored with it (id, manifest, bytes),
/// and Akka.Persistence's own snapshot types round-trip.
/// </summary>
public class SnapshotSerializationTests : SnapshotStoreTestBase
{
    private const string Pid = "ser-pid";

    private static string Name(Type t) => $"\"{t.FullName}, {t.Assembly.GetName().Name}\"";

    private static readonly string Bindings = $$"""
        akka.actor {
          serializers {
            dotted = {{Name(typeof(DottedSnapshotSerializer))}}
            lettered = {{Name(typeof(LetteredSnapshotSerializer))}}
            actor-ref-payload = {{Name(typeof(ActorRefPayloadSerializer))}}
          }
          serialization-bindings {
            {{Name(typeof(DottedSnapshot))}} = dotted
            {{Name(typeof(LetteredSnapshotA))}} = lettered
            {{Name(typeof(LetteredSnapshotB))}} = lettered
            {{Name(typeof(ActorRefPayload))}} = actor-ref-payload
          }
        }
        """;

    public SnapshotSerializationTests(ITestOutputHelper output) : base(output, Bindings) { }

    private System.Text.Json.JsonElement StoredRecord(SnapshotMetadata metadata) => ReadStoredRecord(ExpectedPath(metadata));

    [Fact]
    public void Payload_bound_to_a_serializer_with_type_manifest_is_stored_with_that_serializer()
    {
        var md = Save(Pid, 1, new DottedSnapshot("a"));

        var loaded = Assert.IsType<DottedSnapshot>(LoadLatest(Pid).Snapshot.Snapshot);
        Assert.Equal(".a.", loaded.Data); // ToBinary adds the leading dot, FromBinary the trailing one

        var rec = StoredRecord(md);
        Assert.Equal(DottedSnapshotSerializer.Id, rec.GetProperty("serializerId").GetInt32());
        Assert.Equal(typeof(DottedSnapshot).TypeQualifiedName(), rec.GetProperty("serializerManifest").GetString());
        Assert.Equal(".a", Encoding.UTF8.GetString(rec.GetProperty("bytes").GetBytesFromBase64()));
        Assert.False(rec.TryGetProperty("payload", out _));
        Assert.False(rec.TryGetProperty("payloadType", out _));
    }

    [Fact]
    public void Payload_bound_to_a_serializer_with_string_manifest_is_read_back_by_its_manifest()
    {
        var mdA = Save(Pid, 1, new LetteredSnapshotA("a"));
        var mdB = Save("ser-pid-b", 1, new LetteredSnapshotB("b"));

        var a = Assert.IsType<LetteredSnapshotA>(LoadLatest(Pid).Snapshot.Snapshot);
        Assert.Equal(".a.", a.Data);
        var b = Assert.IsType<LetteredSnapshotB>(LoadLatest("ser-pid-b").Snapshot.Snapshot);
        Assert.Equal(".b.", b.Data);

        Assert.Equal(LetteredSnapshotSerializer.Id, StoredRecord(mdA).GetProperty("serializerId").GetInt32());
        Assert.Equal("A", StoredRecord(mdA).GetProperty("serializerManifest").GetString());
        Assert.Equal("B", StoredRecord(mdB).GetProperty("serializerManifest").GetString());
    }

    [Fact]
    public void The_stored_manifest_decides_the_type_read_back()
    {
        // Same serializer, same bytes: only the manifest tells A from B. Rewrite a stored A record as B.
        var md = Save(Pid, 1, new LetteredSnapshotA("x"));
        string path = ExpectedPath(md);
        var rec = StoredRecord(md).GetRawText().Replace("\"serializerManifest\":\"A\"", "\"serializerManifest\":\"B\"");
        Assert.Contains("\"serializerManifest\":\"B\"", rec);
        WriteLogLine(path, rec);

        Assert.IsType<LetteredSnapshotB>(LoadLatest(Pid).Snapshot.Snapshot);
    }

    [Fact]
    public void Payload_holding_an_actor_ref_is_serialized_with_transport_information()
    {
        var probe = CreateTestProbe();
        var payload = new ActorRefPayload(probe.Ref);
        var md = Save(Pid, 100, payload);

        var result = LoadLatest(Pid);
        Assert.Equal(Pid, result.Snapshot.Metadata.PersistenceId);
        Assert.Equal(100L, result.Snapshot.Metadata.SequenceNr);
        Assert.Equal(md, result.Snapshot.Metadata);
        var loaded = Assert.IsType<ActorRefPayload>(result.Snapshot.Snapshot);
        Assert.Equal(payload, loaded);

        // The resolved ref is live: a message reaches the probe.
        loaded.Ref.Tell("ping");
        probe.ExpectMsg("ping");
    }

    [Fact]
    public void AtLeastOnceDeliverySnapshot_round_trips()
    {
        var unconfirmed = new[]
        {
            new UnconfirmedDelivery(1, TestActor.Path, "a"),
            new UnconfirmedDelivery(2, TestActor.Path, "b"),
            new UnconfirmedDelivery(3, TestActor.Path, 42),
        };
        var snapshot = new AtLeastOnceDeliverySnapshot(17, unconfirmed);
        var md = Save(Pid, 2, snapshot);

        var loaded = Assert.IsType<AtLeastOnceDeliverySnapshot>(LoadLatest(Pid).Snapshot.Snapshot);
        Assert.Equal(snapshot, loaded);
        Assert.Equal(17, loaded.CurrentDeliveryId);
        Assert.Equal(new object[] { "a", "b", 42 }, loaded.UnconfirmedDeliveries.Select(u => u.Message));
        Assert.All(loaded.UnconfirmedDeliveries, u => Assert.Equal(TestActor.Path, u.Destination));
        // Stored with Akka.Persistence's own serializer, not as JSON (whose object-typed Message would not round-trip).
        Assert.True(StoredRecord(md).TryGetProperty("serializerId", out _));
    }

    [Fact]
    public void AtLeastOnceDeliverySnapshot_with_no_unconfirmed_deliveries_round_trips()
    {
        var snapshot = new AtLeastOnceDeliverySnapshot(13, []);
        Save(Pid, 2, snapshot);

        var loaded = Assert.IsType<AtLeastOnceDeliverySnapshot>(LoadLatest(Pid).Snapshot.Snapshot);
        Assert.Equal(snapshot, loaded);
        Assert.Empty(loaded.UnconfirmedDeliveries);
    }

    [Fact]
    public void PersistentFSMSnapshot_round_trips()
    {
        var snapshot = new PersistentFSM.PersistentFSMSnapshot<string>("mystate", "mydata", TimeSpan.FromDays(4));
        var md = Save(Pid, 2, snapshot);

        var loaded = Assert.IsType<PersistentFSM.PersistentFSMSnapshot<string>>(LoadLatest(Pid).Snapshot.Snapshot);
        Assert.Equal(snapshot, loaded);
        Assert.Equal("mystate", loaded.StateIdentifier);
        Assert.Equal("mydata", loaded.Data);
        Assert.Equal(TimeSpan.FromDays(4), loaded.Timeout);
        Assert.True(StoredRecord(md).TryGetProperty("serializerId", out _));
    }

    [Fact]
    public void PersistentFSMSnapshot_without_timeout_round_trips()
    {
        var snapshot = new PersistentFSM.PersistentFSMSnapshot<string>("idle", "nothing", null);
        Save(Pid, 3, snapshot);

        var loaded = Assert.IsType<PersistentFSM.PersistentFSMSnapshot<string>>(LoadLatest(Pid).Snapshot.Snapshot);
        Assert.Equal(snapshot, loaded);
        Assert.Null(loaded.Timeout);
    }

    [Fact]
    public void A_stored_serializer_id_the_system_does_not_know_is_skipped_and_reported()
    {
        var good = Save(Pid, 1, "older");
        var md = Save(Pid, 2, new DottedSnapshot("a"));
        string path = ExpectedPath(md);
        var rec = StoredRecord(md).GetRawText().Replace($"\"serializerId\":{DottedSnapshotSerializer.Id}", "\"serializerId\":987654");
        WriteLogLine(path, rec);

        EventFilter.Error(contains: "cannot be read").ExpectOne(() =>
        {
            var result = LoadLatest(Pid);
            Assert.Equal(good, result.Snapshot.Metadata);
            Assert.Equal("older", result.Snapshot.Snapshot);
        });
    }

    /// <summary>Replaces a snapshot file with one correctly checksummed line holding <paramref name="record"/>.</summary>
    private static void WriteLogLine(string path, string record)
    {
        string body = "\"rec\":" + record;
        uint crc = global::MiniStore.Crc32C.Compute(Encoding.UTF8.GetBytes(body));
        File.WriteAllText(path, $"{{\"crc\":\"{crc:x8}\",{body}}}\n");
    }
}

public sealed class DottedSnapshot(string data)
{
    public string Data { get; } = data;
}

/// <summary>A <see cref="Serializer"/> with <see cref="Serializer.IncludeManifest"/>: the manifest is the type name.</summary>
public sealed class DottedSnapshotSerializer(ExtendedActorSystem system) : Serializer(system)
{
    public const int Id = 771241;
    public override int Identifier => Id;
    public override bool IncludeManifest => true;

    public override byte[] ToBinary(object obj) => obj is DottedSnapshot s
        ? Encoding.UTF8.GetBytes("." + s.Data)
        : throw new ArgumentException($"Cannot serialize {obj.GetType()}");

    public override object FromBinary(byte[] bytes, Type? type) => type == typeof(DottedSnapshot)
        ? new DottedSnapshot(Encoding.UTF8.GetString(bytes) + ".")
        : throw new ArgumentException($"Cannot deserialize {type}");
}

public sealed class LetteredSnapshotA(string data)
{
    public string Data { get; } = data;
}

public sealed class LetteredSnapshotB(string data)
{
    public string Data { get; } = data;
}

/// <summary>A <see cref="SerializerWithStringManifest"/>: "A" or "B" tells the two types apart, the bytes do not.</summary>
public sealed class LetteredSnapshotSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 771261;
    public override int Identifier => Id;

    public override byte[] ToBinary(object obj) => obj switch
    {
        LetteredSnapshotA a => Encoding.UTF8.GetBytes("." + a.Data),
        LetteredSnapshotB b => Encoding.UTF8.GetBytes("." + b.Data),
        _ => throw new ArgumentException($"Cannot serialize {obj.GetType()}"),
    };

    public override string Manifest(object o) => o switch
    {
        LetteredSnapshotA => "A",
        LetteredSnapshotB => "B",
        _ => throw new ArgumentException($"No manifest for {o.GetType()}"),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        "A" => new LetteredSnapshotA(Encoding.UTF8.GetString(bytes) + "."),
        "B" => new LetteredSnapshotB(Encoding.UTF8.GetString(bytes) + "."),
        _ => throw new SerializationException($"Unknown manifest '{manifest}'"),
    };
}

public sealed class ActorRefPayload(IActorRef @ref) : IEquatable<ActorRefPayload>
{
    public IActorRef Ref { get; } = @ref;
    public bool Equals(ActorRefPayload? other) => other is not null && Ref.Equals(other.Ref);
    public override bool Equals(object? obj) => Equals(obj as ActorRefPayload);
    public override int GetHashCode() => Ref.GetHashCode();
}

/// <summary>
/// Like the TCK's TestSerializer: stores the serialized actor path and insists that serialization runs with
/// transport information set for this system, as Akka does when it serializes actor refs.
/// </summary>
public sealed class ActorRefPayloadSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public override int Identifier => 771281;

    public override byte[] ToBinary(object obj)
    {
        if (obj is not ActorRefPayload p)
            throw new SerializationException($"Cannot serialize {obj.GetType()}");
        VerifyTransportInformation();
        return Encoding.UTF8.GetBytes(AkkaSerialization.SerializedActorPath(p.Ref));
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        VerifyTransportInformation();
        return manifest == "R"
            ? new ActorRefPayload(system.Provider.ResolveActorRef(Encoding.UTF8.GetString(bytes)))
            : throw new SerializationException($"Unknown manifest '{manifest}'");
    }

    public override string Manifest(object o) => "R";

    private void VerifyTransportInformation()
    {
        var info = AkkaSerialization.GetCurrentTransportInformation(); // throws when not set
        if (!info.System.Equals(system))
            throw new InvalidOperationException($"wrong system in CurrentTransportInformation: {info.System}");
        if (!info.Address.Equals(system.Provider.DefaultAddress))
            throw new InvalidOperationException($"wrong address in CurrentTransportInformation: {info.Address}");
    }
}
