using System.Text;
using Akka.Actor;
using Akka.Persistence.MiniStore.Storage;
using Akka.Persistence.MiniStore.Tests.Journal;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Hostile;

/// <summary>
/// What recovery does with the end of a log, now that it knows what the store recorded as stored:
/// <list type="bullet">
/// <item>bytes after the last line break were never acknowledged, whatever they are: they are cut like any torn tail,
/// kept in the .broken copy, and the actor recovers and goes on;</item>
/// <item>a log that lost acknowledged events (overwritten with zeros, cut short, removed) is never "repaired" down to
/// what is left: recovery fails naming the id, the file, what was expected and what is there, nothing is cut, and no
/// sequence number is handed out twice. The evidence: the event index, the deletion mark, the snapshot recovered from.</item>
/// </list>
/// </summary>
public class StoreAwareRecoveryTests : JournalTestKit
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);

    public StoreAwareRecoveryTests(ITestOutputHelper output) : base(output) { }

    public static TheoryData<string> ForeignTails => new() { "png header", "text without a line break", "zeros", "half a line" };

    [Theory]
    [MemberData(nameof(ForeignTails))]
    public void Bytes_after_the_last_line_break_are_cut_whatever_they_are_and_the_actor_goes_on(string tail)
    {
        WriteInFirstSystem(3);
        string path = EventLogPath(Pid);
        byte[] intact = File.ReadAllBytes(path);
        byte[] foreign = tail switch
        {
            "png header" => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x00, 0x00, 0x0d, (byte)'I', (byte)'H'],
            "text without a line break" => Encoding.UTF8.GetBytes("timestamp,device,temperature"),
            "zeros" => new byte[700],
            _ => intact[..40],
        };
        if (tail == "png header") foreign = [.. foreign.Where(b => b != (byte)'\n')];
        File.WriteAllBytes(path, [.. intact, .. foreign]);

        var second = StartSystem("tail-second");
        try
        {
            var reporter = CreateTestProbe(second);
            var actor = second.ActorOf(ReportingActor.Props(Pid, reporter.Ref));
            var recovered = reporter.ExpectMsg<ReportingActor.Recovered>(Slow);
            Assert.Equal(["a-1", "a-2", "a-3"], recovered.Events);
            Assert.Equal(intact, File.ReadAllBytes(path));
            var broken = Assert.Single(Directory.GetFiles(JournalDirectory, "*.broken"));
            Assert.StartsWith(path, broken);
            Assert.Equal(foreign, File.ReadAllBytes(broken));

            actor.Tell("a-4", reporter.Ref);
            Assert.Equal(4, reporter.ExpectMsg<ReportingActor.Persisted>(Slow).SequenceNr);
        }
        finally
        {
            Terminate(second);
        }
    }

    public static TheoryData<string, string> Losses => new()
    {
        // what happened to the log, what the error must name as the evidence
        { "overwritten with zeros", "the event index" },
        { "cut short inside its last line", "the event index" },
        { "emptied", "the event index" },
        { "cut short at a line break, after a deletion", "its deletion log" },
        { "overwritten with zeros, index lost, snapshot kept", "the snapshot it recovers from (sequence number 4)" },
        { "removed, index lost, snapshot kept", "the snapshot it recovers from (sequence number 4)" },
    };

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_log_that_lost_acknowledged_events_fails_recovery_naming_what_is_missing_and_nothing_is_cut(string loss, string evidence)
    {
        WriteInFirstSystem(5, deleteTo: loss.Contains("deletion") ? 2 : 0, snapshotAt: loss.Contains("snapshot") ? 4 : 0);
        string path = EventLogPath(Pid);
        byte[] bytes = File.ReadAllBytes(path);
        string text = Encoding.UTF8.GetString(bytes);
        int lastLineStart = text.LastIndexOf('\n', text.Length - 2) + 1;
        long found = 0;
        switch (loss)
        {
            case "overwritten with zeros":
            case "overwritten with zeros, index lost, snapshot kept":
                File.WriteAllBytes(path, new byte[bytes.Length]);
                break;
            case "cut short inside its last line":
                File.WriteAllBytes(path, bytes[..(lastLineStart + 30)]);
                found = 4;
                break;
            case "emptied":
                File.WriteAllBytes(path, []);
                break;
            case "cut short at a line break, after a deletion":
                File.WriteAllBytes(path, bytes[..lastLineStart]);
                found = 4;
                break;
            case "removed, index lost, snapshot kept":
                File.Delete(path);
                break;
        }
        if (loss.Contains("index lost"))
            File.Delete(new StoreLayout(JournalDirectory).EventIndex);
        byte[] damaged = File.Exists(path) ? File.ReadAllBytes(path) : [];

        var second = StartSystem("loss-second");
        try
        {
            var reporter = CreateTestProbe(second);
            second.ActorOf(ReportingActor.Props(Pid, reporter.Ref));
            var failed = reporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow);
            var lost = Assert.IsType<LostEventsException>(failed.Cause);
            Assert.Equal(Pid, lost.PersistenceId);
            Assert.Equal(path, lost.LogPath);
            Assert.Equal(found, lost.Found);
            Assert.Equal(loss.Contains("snapshot") ? 4 : 5, lost.Expected);
            Assert.Contains(evidence, lost.Message);
            Assert.Contains($"Persistence id '{Pid}'", lost.Message);

            // Nothing was cut, moved aside or created.
            Assert.Equal(damaged, File.Exists(path) ? File.ReadAllBytes(path) : []);
            Assert.Empty(Directory.GetFiles(JournalDirectory, "*.broken"));
            if (!loss.Contains("snapshot"))
            {
                // With the evidence in the store itself (not only in the snapshot a recovery starts from), a write
                // reusing a sequence number is refused too, and still changes nothing.
                var probe = CreateTestProbe(second);
                JournalOf(second).Tell(new WriteMessages([new AtomicWrite(Event("a-1", 1, Pid, WriterGuid))], probe.Ref, ActorInstanceId));
                probe.ExpectMsg<WriteMessagesFailed>(Slow);
                Assert.IsType<LostEventsException>(probe.ExpectMsg<WriteMessageFailure>(Slow).Cause);
                Assert.Equal(damaged, File.Exists(path) ? File.ReadAllBytes(path) : []);
            }
        }
        finally
        {
            Terminate(second);
        }
    }

    [Fact]
    public void A_torn_tail_that_leaves_every_acknowledged_event_is_cut_even_with_a_snapshot_and_deletion()
    {
        WriteInFirstSystem(5, deleteTo: 2, snapshotAt: 4);
        string path = EventLogPath(Pid);
        byte[] intact = File.ReadAllBytes(path);
        File.WriteAllBytes(path, [.. intact, .. Encoding.UTF8.GetBytes("{\"crc\":\"0000")]);

        var second = StartSystem("torn-second");
        try
        {
            var reporter = CreateTestProbe(second);
            second.ActorOf(ReportingActor.Props(Pid, reporter.Ref));
            var recovered = reporter.ExpectMsg<ReportingActor.Recovered>(Slow);
            Assert.Equal(["a-5"], recovered.Events); // after the snapshot at 4
            Assert.Equal(5, recovered.LastSequenceNr);
            Assert.Equal(intact, File.ReadAllBytes(path));
        }
        finally
        {
            Terminate(second);
        }
    }

    /// <summary>Events a-1..a-<paramref name="events"/> of <see cref="Pid"/>, one per write, then a deletion and a snapshot if asked, in a system of their own.</summary>
    private void WriteInFirstSystem(int events, long deleteTo = 0, long snapshotAt = 0)
    {
        var first = StartSystem("first");
        try
        {
            var journal = JournalOf(first);
            WriteSuccessfully(journal, first, Enumerable.Range(1, events).Select(i => new AtomicWrite(Event($"a-{i}", i, Pid, WriterGuid))).ToArray());
            var probe = CreateTestProbe(first);
            if (deleteTo > 0)
            {
                journal.Tell(new DeleteMessagesTo(Pid, deleteTo, probe.Ref));
                probe.ExpectMsg<DeleteMessagesSuccess>();
            }
            if (snapshotAt > 0)
            {
                Persistence.Instance.Apply(first).SnapshotStoreFor(null).Tell(new SaveSnapshot(new SnapshotMetadata(Pid, snapshotAt, DateTime.UtcNow), $"state at {snapshotAt}"), probe.Ref);
                probe.ExpectMsg<SaveSnapshotSuccess>();
            }
        }
        finally
        {
            Terminate(first);
        }
    }
}
