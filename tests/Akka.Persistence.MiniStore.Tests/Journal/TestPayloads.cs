using System.Text;
using Akka.Actor;
using Akka.Persistence.Journal;
using Akka.Serialization;

namespace Akka.Persistence.MiniStore.Tests.Journal;

// Event types and serializers used by the journal tests. Types bound to a serializer here are bound in
// JournalTestKit.Config; everything else is stored by the plugin as inline System.Text.Json.

/// <summary>Like the TCK's TestPayload: carries an actor reference and has a serializer of its own.</summary>
public sealed class ActorRefPayload : IEquatable<ActorRefPayload>
{
    public ActorRefPayload(IActorRef @ref) => Ref = @ref;
    public IActorRef Ref { get; }
    public bool Equals(ActorRefPayload? other) => other is not null && Ref.Equals(other.Ref);
    public override bool Equals(object? obj) => Equals(obj as ActorRefPayload);
    public override int GetHashCode() => Ref.GetHashCode();
    public override string ToString() => $"ActorRefPayload({Ref})";
}

/// <summary>
/// Serializes <see cref="ActorRefPayload"/> as the actor's path. Like the TCK's TestSerializer it insists on being
/// called with transport information for its own system, which a journal must set up (Serialization.WithTransport)
/// so that actor references are written with the system's address.
/// </summary>
public sealed class ActorRefPayloadSerializer : SerializerWithStringManifest
{
    public ActorRefPayloadSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => 47110;

    public override string Manifest(object o) => o is ActorRefPayload ? "R" : throw new ArgumentException($"unexpected {o.GetType()}");

    public override byte[] ToBinary(object obj)
    {
        if (obj is not ActorRefPayload payload)
            throw new ArgumentException($"unexpected {obj.GetType()}");
        CheckTransportInformation();
        return Encoding.UTF8.GetBytes(Akka.Serialization.Serialization.SerializedActorPath(payload.Ref));
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        CheckTransportInformation();
        if (manifest != "R")
            throw new ArgumentException($"unexpected manifest '{manifest}'");
        return new ActorRefPayload(system.Provider.ResolveActorRef(Encoding.UTF8.GetString(bytes)));
    }

    private void CheckTransportInformation()
    {
        Information info;
        try
        {
            info = Akka.Serialization.Serialization.GetCurrentTransportInformation();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException("CurrentTransportInformation was not set", e);
        }
        if (info is null)
            throw new InvalidOperationException("CurrentTransportInformation was not set");
        if (!info.System.Equals(system))
            throw new InvalidOperationException($"wrong system in CurrentTransportInformation: {info.System} != {system}");
        if (info.Address != system.Provider.DefaultAddress)
            throw new InvalidOperationException($"wrong address in CurrentTransportInformation: {info.Address} != {system.Provider.DefaultAddress}");
    }
}

/// <summary>
/// Get-only properties that are not constructor parameters: System.Text.Json could not round-trip it, so it is only
/// storable because a serializer is bound to it.
/// </summary>
public sealed class Deposit
{
    public Deposit(string account, decimal amount) { Account = account; Amount = amount; Reference = $"{account}:{amount}"; }
    public string Account { get; }
    public decimal Amount { get; }
    public string Reference { get; }
    /// <summary>The serializer manifest the payload was read with (set by <see cref="LedgerSerializer"/>).</summary>
    public string? ReadWithManifest { get; private set; }
    internal Deposit ReadWith(string manifest) { ReadWithManifest = manifest; return this; }
}

public sealed class Withdrawal
{
    public Withdrawal(string account, decimal amount) { Account = account; Amount = amount; }
    public string Account { get; }
    public decimal Amount { get; }
    public string? ReadWithManifest { get; private set; }
    internal Withdrawal ReadWith(string manifest) { ReadWithManifest = manifest; return this; }
}

/// <summary>A string-manifest serializer with one manifest per type; reading reports the manifest it was given.</summary>
public sealed class LedgerSerializer : SerializerWithStringManifest
{
    public const string DepositManifest = "ledger.deposit.v2";
    public const string WithdrawalManifest = "ledger.withdrawal.v1";

    public LedgerSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => 47111;

    public override string Manifest(object o) => o switch
    {
        Deposit => DepositManifest,
        Withdrawal => WithdrawalManifest,
        _ => throw new ArgumentException($"unexpected {o.GetType()}"),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        Deposit d => Encoding.UTF8.GetBytes($"{d.Account}|{d.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}"),
        Withdrawal w => Encoding.UTF8.GetBytes($"{w.Account}|{w.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}"),
        _ => throw new ArgumentException($"unexpected {obj.GetType()}"),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var parts = Encoding.UTF8.GetString(bytes).Split('|');
        var amount = decimal.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        return manifest switch
        {
            DepositManifest => new Deposit(parts[0], amount).ReadWith(manifest),
            WithdrawalManifest => new Withdrawal(parts[0], amount).ReadWith(manifest),
            _ => throw new ArgumentException($"unexpected manifest '{manifest}'"),
        };
    }
}

/// <summary>Bound to <see cref="TypeManifestSerializer"/>, a classic serializer whose manifest is the type name.</summary>
public sealed class LegacyPayload
{
    public LegacyPayload(string data) => Data = data;
    public string Data { get; }
}

/// <summary>A classic <see cref="Serializer"/> with <see cref="IncludeManifest"/>: FromBinary gets the type back.</summary>
public sealed class TypeManifestSerializer : Serializer
{
    public TypeManifestSerializer(ExtendedActorSystem system) : base(system) { }
    public override int Identifier => 47112;
    public override bool IncludeManifest => true;

    public override byte[] ToBinary(object obj) =>
        obj is LegacyPayload p ? Encoding.UTF8.GetBytes("legacy:" + p.Data) : throw new ArgumentException($"unexpected {obj.GetType()}");

    public override object FromBinary(byte[] bytes, Type type)
    {
        if (type != typeof(LegacyPayload))
            throw new ArgumentException($"expected the manifest to name LegacyPayload, got {type}");
        var text = Encoding.UTF8.GetString(bytes);
        return new LegacyPayload(text.StartsWith("legacy:", StringComparison.Ordinal) ? text["legacy:".Length..] + "!" : throw new ArgumentException(text));
    }
}

/// <summary>Bound to <see cref="ExplodingSerializer"/>, which cannot serialize it.</summary>
public sealed class ExplodingPayload
{
    public string Name { get; set; } = "boom";
}

public sealed class ExplodingSerializer : Serializer
{
    public ExplodingSerializer(ExtendedActorSystem system) : base(system) { }
    public override int Identifier => 47113;
    public override bool IncludeManifest => false;
    public override byte[] ToBinary(object obj) => throw new System.Runtime.Serialization.SerializationException("ExplodingSerializer refuses everything");
    public override object FromBinary(byte[] bytes, Type? type) => throw new System.Runtime.Serialization.SerializationException("never written");
}

/// <summary>Like the TCK's NotSerializableEvent: a constructor parameter that matches no member, so JSON cannot read it back.</summary>
public sealed class NotSerializableEvent
{
    public NotSerializableEvent(bool foo) { }
}

// ---- Event adapter ----

/// <summary>The event a persistent actor persists; the bound <see cref="RenameAdapter"/> gives it a manifest.</summary>
public sealed record AccountRenamed(string NewName);

/// <summary>What <see cref="RenameAdapter.FromJournal"/> makes of a stored <see cref="AccountRenamed"/>, with the manifest it was given.</summary>
public sealed record AccountRenamedFromJournal(string NewName, string Manifest);

public sealed class RenameAdapter : IEventAdapter
{
    public const string ManifestV3 = "account-renamed.v3";
    public string Manifest(object evt) => evt is AccountRenamed ? ManifestV3 : "";
    public object ToJournal(object evt) => evt;
    public IEventSequence FromJournal(object evt, string manifest) =>
        evt is AccountRenamed r ? EventSequence.Single(new AccountRenamedFromJournal(r.NewName, manifest)) : EventSequence.Single(evt);
}

/// <summary>An event that <see cref="RefusingAdapter"/> cannot read back when its number is <see cref="RefusingAdapter.Refused"/>.</summary>
public sealed record Numbered(int N);

/// <summary>A read-side adapter that throws on one event, as a faulty upcaster would.</summary>
public sealed class RefusingAdapter : IReadEventAdapter
{
    public const int Refused = 200;
    public IEventSequence FromJournal(object evt, string manifest) =>
        evt is Numbered { N: Refused } ? throw new InvalidOperationException($"the adapter refuses event {Refused}") : EventSequence.Single(evt);
}

/// <summary>Round-trips through its converter, which writes pretty-printed raw JSON: valid, but with raw line breaks.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(PrettyPrintedConverter))]
public sealed record PrettyPrinted(int X);

public sealed class PrettyPrintedConverter : System.Text.Json.Serialization.JsonConverter<PrettyPrinted>
{
    public override PrettyPrinted Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        using var document = System.Text.Json.JsonDocument.ParseValue(ref reader);
        return new PrettyPrinted(document.RootElement.GetProperty("X").GetInt32());
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, PrettyPrinted value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteRawValue($"{{\n  \"X\": {value.X}\n}}");
}

// ---- Inline JSON: types that round-trip ----

public sealed record ItemAdded(string Sku, int Quantity, decimal Price, DateTimeOffset At, IReadOnlyList<string> Labels, PostalAddress? ShipTo);

public sealed record PostalAddress(string Street, string City);

public sealed class CustomerRegistered
{
    public string Name { get; init; } = "";
    public string? Email { get; init; }
    public int Age { get; init; }
    public Guid Id { get; init; }
    public Dictionary<string, int> Scores { get; init; } = new();
    public PostalAddress? Home { get; init; }
}

// ---- Inline JSON: types that would not round-trip ----

public sealed class PrivateSetterEvent
{
    public PrivateSetterEvent() { }
    public PrivateSetterEvent(string secret) => Secret = secret;
    public string Secret { get; private set; } = "";
}

public sealed class GetOnlyEvent
{
    public GetOnlyEvent(string orderId) { OrderId = orderId; ShippedVia = "carrier-" + orderId; }
    public string OrderId { get; }
    public string ShippedVia { get; }
}

public sealed class PublicFieldEvent
{
    public int Counter;
    public string Label { get; set; } = "";
}

public sealed class ObjectMemberEvent
{
    public object? Value { get; set; }
}

public interface IShape
{
    double Area { get; }
}

public sealed class Square : IShape
{
    public double Side { get; set; }
    public double Area => Side * Side;
}

public sealed class InterfaceMemberEvent
{
    public IShape? Shape { get; set; }
}
