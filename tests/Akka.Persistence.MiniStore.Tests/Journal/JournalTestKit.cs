using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// Base of the journal tests: a MiniStore system with the test serializers and event adapter bound, plugin commands
/// published, and helpers to talk to the journal actor and to read its files.
/// </summary>
public abstract class JournalTestKit : MiniStoreSpec
{
    public static readonly string Config = $$"""
        akka.loglevel = WARNING
        akka.persistence.publish-plugin-commands = on
        akka.actor {
          serializers {
            actor-ref-payload = "{{TypeName<ActorRefPayloadSerializer>()}}"
            ledger = "{{TypeName<LedgerSerializer>()}}"
            type-manifest = "{{TypeName<TypeManifestSerializer>()}}"
            exploding = "{{TypeName<ExplodingSerializer>()}}"
          }
          serialization-bindings {
            "{{TypeName<ActorRefPayload>()}}" = actor-ref-payload
            "{{TypeName<Deposit>()}}" = ledger
            "{{TypeName<Withdrawal>()}}" = ledger
            "{{TypeName<LegacyPayload>()}}" = type-manifest
            "{{TypeName<ExplodingPayload>()}}" = exploding
          }
        }
        akka.persistence.journal.ministore {
          event-adapters {
            renamer = "{{TypeName<RenameAdapter>()}}"
            refuser = "{{TypeName<RefusingAdapter>()}}"
          }
          event-adapter-bindings {
            "{{TypeName<AccountRenamed>()}}" = renamer
            "{{TypeName<Numbered>()}}" = refuser
          }
        }
        """;

    protected JournalTestKit(ITestOutputHelper output, string? extraConfig = null)
        : base(output, extraConfig is null ? Config : extraConfig + "\n" + Config)
    {
    }

    /// <summary>"Namespace.Type, Assembly", as HOCON bindings want it.</summary>
    public static string TypeName<T>() => $"{typeof(T).FullName}, {typeof(T).Assembly.GetName().Name}";

    protected string Pid { get; } = "p-" + Guid.NewGuid().ToString("N")[..8];
    protected string WriterGuid { get; } = Guid.NewGuid().ToString();
    protected const int ActorInstanceId = 1;

    protected IActorRef Journal => Persistence.Instance.Apply(Sys).JournalFor(null);

    protected static Persistent Event(object payload, long sequenceNr, string persistenceId, string writerGuid, string manifest = "") =>
        new(payload, sequenceNr, persistenceId, manifest, isDeleted: false, sender: ActorRefs.NoSender, writerGuid: writerGuid);

    protected static AtomicWrite Atomic(params IPersistentRepresentation[] events) =>
        new(events.ToImmutableList());

    /// <summary>
    /// The TCK's fixture: events "a-1".."a-5" of <see cref="Pid"/>, 1 to 3 as single writes and 4 and 5 as one
    /// atomic write, all in one WriteMessages; checks every write was acknowledged in order.
    /// </summary>
    protected void WriteFiveEvents() => WriteFiveEvents(Journal, Sys);

    protected void WriteFiveEvents(IActorRef journal, ActorSystem system)
    {
        var writes = new[]
        {
            new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)),
            new AtomicWrite(Event("a-2", 2, Pid, WriterGuid)),
            new AtomicWrite(Event("a-3", 3, Pid, WriterGuid)),
            Atomic(Event("a-4", 4, Pid, WriterGuid), Event("a-5", 5, Pid, WriterGuid)),
        };
        var probe = CreateTestProbe(system);
        journal.Tell(new WriteMessages(writes, probe.Ref, ActorInstanceId));
        probe.ExpectMsg<WriteMessagesSuccessful>();
        for (long i = 1; i <= 5; i++)
        {
            var success = probe.ExpectMsg<WriteMessageSuccess>();
            Assert.Equal(i, success.Persistent.SequenceNr);
            Assert.Equal("a-" + i, success.Persistent.Payload);
            Assert.Equal(Pid, success.Persistent.PersistenceId);
            Assert.Equal(ActorInstanceId, success.ActorInstanceId);
        }
    }

    /// <summary>Sends one WriteMessages and collects the per-write replies (success or rejection), after WriteMessagesSuccessful.</summary>
    protected IReadOnlyList<object> Write(params AtomicWrite[] writes) => Write(Journal, Sys, writes);

    protected IReadOnlyList<object> Write(IActorRef journal, ActorSystem system, params AtomicWrite[] writes)
    {
        var probe = CreateTestProbe(system);
        journal.Tell(new WriteMessages(writes, probe.Ref, ActorInstanceId));
        probe.ExpectMsg<WriteMessagesSuccessful>();
        int count = writes.Sum(w => ((IImmutableList<IPersistentRepresentation>)w.Payload).Count);
        var replies = new List<object>();
        for (int i = 0; i < count; i++)
            replies.Add(probe.ExpectMsg<object>(m => m is WriteMessageSuccess or WriteMessageRejected or WriteMessageFailure));
        return replies;
    }

    /// <summary>Writes and asserts that every event was acknowledged as written.</summary>
    protected void WriteSuccessfully(params AtomicWrite[] writes) => WriteSuccessfully(Journal, Sys, writes);

    protected void WriteSuccessfully(IActorRef journal, ActorSystem system, params AtomicWrite[] writes)
    {
        foreach (var reply in Write(journal, system, writes))
            Assert.True(reply is WriteMessageSuccess, $"expected WriteMessageSuccess, got {reply}");
    }

    /// <summary>Replays and returns the replayed events and the highest sequence number of RecoverySuccess.</summary>
    protected (IReadOnlyList<IPersistentRepresentation> Events, long Highest) Replay(string persistenceId, long from = 1, long to = long.MaxValue, long max = long.MaxValue) =>
        Replay(Journal, Sys, persistenceId, from, to, max);

    protected (IReadOnlyList<IPersistentRepresentation> Events, long Highest) Replay(IActorRef journal, ActorSystem system, string persistenceId, long from = 1, long to = long.MaxValue, long max = long.MaxValue)
    {
        var probe = CreateTestProbe(system);
        journal.Tell(new ReplayMessages(from, to, max, persistenceId, probe.Ref));
        var events = new List<IPersistentRepresentation>();
        while (true)
        {
            var message = probe.ExpectMsg<object>();
            switch (message)
            {
                case ReplayedMessage replayed:
                    events.Add(replayed.Persistent);
                    break;
                case RecoverySuccess success:
                    probe.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
                    return (events, success.HighestSequenceNr);
                default:
                    throw new Xunit.Sdk.XunitException($"unexpected reply to ReplayMessages: {message}");
            }
        }
    }

    protected static void AssertTckEvents(IReadOnlyList<IPersistentRepresentation> events, string persistenceId, params long[] sequenceNrs)
    {
        Assert.Equal(sequenceNrs, events.Select(e => e.SequenceNr));
        foreach (var e in events)
        {
            Assert.Equal("a-" + e.SequenceNr, e.Payload);
            Assert.Equal(persistenceId, e.PersistenceId);
            Assert.False(e.IsDeleted);
        }
    }

    /// <summary>The lines of a log file, parsed; read with sharing so the journal may keep it open.</summary>
    protected static IReadOnlyList<StoredLine> ReadLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<StoredLine>();
        while (reader.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            lines.Add(new StoredLine(line, json.RootElement.Clone()));
        }
        return lines;
    }

    /// <summary>Starts another actor system on this test's store, with the same configuration; terminate it with <see cref="Terminate"/>.</summary>
    protected ActorSystem StartSystem(string name) =>
        ActorSystem.Create(name, Configuration(StoreDirectory, Config));

    protected static void Terminate(ActorSystem system) =>
        Assert.True(system.Terminate().Wait(TimeSpan.FromSeconds(10)), $"actor system {system.Name} did not terminate");

    protected static IActorRef JournalOf(ActorSystem system) => Persistence.Instance.Apply(system).JournalFor(null);
}

/// <summary>One line of a MiniStore log: <c>{"crc":..,("more":true,)"rec":{...}}</c>.</summary>
public sealed record StoredLine(string Text, JsonElement Line)
{
    public JsonElement Rec => Line.GetProperty("rec");
    public bool More => Line.TryGetProperty("more", out var more) && more.GetBoolean();
    public long Seq => Rec.GetProperty("seq").GetInt64();
    public string Pid => Rec.GetProperty("pid").GetString()!;
}
