using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence.Snapshot;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// Base of the tests that write many events: they go in large batches straight through the journal protocol
/// (WriteMessages), as a persistent actor's PersistAll would, so that a million take seconds. Logs are compacted at
/// every deletion. The test keeps the ordering the journal gives each event (it numbers the events of a call in order).
/// </summary>
public abstract class BulkWriteSpec(ITestOutputHelper output, string? directory = null) : QuerySpec(output, """
    akka.loglevel = WARNING
    akka.persistence.journal.ministore.compact-on-delete = on
    akka.persistence.journal.ministore.compact-min-dead-bytes = 0
    akka.persistence.journal.ministore.compact-min-dead-ratio = 0
    """, directory)
{
    private readonly string _writerGuid = Guid.NewGuid().ToString();

    /// <summary>The highest sequence number written per persistence id (set one to start an id above 1).</summary>
    protected Dictionary<string, long> Highest { get; } = new();

    /// <summary>The ordering of each event written.</summary>
    protected Dictionary<(string Pid, long Seq), long> Orderings { get; } = new();

    /// <summary>The ordering of the last event written (set it when the store starts above 0).</summary>
    protected long LastOrdering { get; set; }

    protected IActorRef Journal => Persistence.Instance.Apply(Sys).JournalFor(null);
    protected string IndexPath => Path.Combine(JournalDirectory, "index", "events.jsonl");

    /// <summary>One WriteMessages holding one atomic write per (id, count), each event "&lt;text&gt; &lt;seq&gt;"; waits until all are acknowledged.</summary>
    protected void WriteEvents((string Id, int Count)[] writes, string text)
    {
        var messages = new List<IPersistentEnvelope>();
        int events = 0;
        foreach (var (id, count) in writes)
        {
            long from = Highest.GetValueOrDefault(id) + 1;
            var batch = ImmutableList.CreateRange(Enumerable.Range(0, count).Select(i =>
                (IPersistentRepresentation)new Persistent($"{text} {from + i}", from + i, id, "", false, ActorRefs.NoSender, _writerGuid)));
            messages.Add(new AtomicWrite(batch));
            for (long seq = from; seq < from + count; seq++)
                Orderings[(id, seq)] = ++LastOrdering;
            Highest[id] = from + count - 1;
            events += count;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var replies = Sys.ActorOf(Props.Create(() => new WriteReplies(events, done)));
        Journal.Tell(new WriteMessages(messages, replies, 1));
        Assert.True(done.Task.Wait(TimeSpan.FromSeconds(60)), "the write was not acknowledged");
        Sys.Stop(replies);
    }

    protected void SaveSnapshot(string persistenceId, long sequenceNr)
    {
        var probe = CreateTestProbe();
        Persistence.Instance.Apply(Sys).SnapshotStoreFor(null).Tell(new SaveSnapshot(new SnapshotMetadata(persistenceId, sequenceNr, DateTime.UtcNow), $"state at {sequenceNr}"), probe.Ref);
        probe.ExpectMsg<SaveSnapshotSuccess>();
    }

    protected void Delete(string persistenceId, long toSequenceNr)
    {
        var probe = CreateTestProbe();
        Journal.Tell(new DeleteMessagesTo(persistenceId, toSequenceNr, probe.Ref));
        probe.ExpectMsg<DeleteMessagesSuccess>();
    }

    /// <summary>Counts a WriteMessages call's acknowledgements; fails on any other answer.</summary>
    private sealed class WriteReplies : ReceiveActor
    {
        public WriteReplies(int events, TaskCompletionSource done)
        {
            int acknowledged = 0;
            Receive<WriteMessagesSuccessful>(_ => { });
            Receive<WriteMessageSuccess>(_ =>
            {
                if (++acknowledged == events)
                    done.TrySetResult();
            });
            Receive<WriteMessagesFailed>(m => done.TrySetException(m.Cause));
            Receive<WriteMessageFailure>(m => done.TrySetException(m.Cause));
            Receive<WriteMessageRejected>(m => done.TrySetException(m.Cause));
        }
    }
}
