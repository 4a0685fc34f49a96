using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// A recovery opens its event log once: the highest sequence number, the check against what the store recorded and
/// the replay all read on one handle (etcd's WAL: open once, read everything out). The deletion log, when there is
/// one, is opened once too. The opens are counted by the kernel (inotify), so any way of opening counts.
/// </summary>
public class RecoveryOpensOnceTests(ITestOutputHelper output) : JournalTestKit(output)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);

    [SkippableTheory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_recovery_opens_the_event_log_once_with_or_without_a_snapshot_and_a_deletion(bool snapshot, bool deletion)
    {
        Skip.IfNot(OpenWatch.IsSupported, "the opens are counted with inotify, which only Linux has");
        var first = StartSystem("opens-first");
        try
        {
            var journal = JournalOf(first);
            WriteSuccessfully(journal, first, Enumerable.Range(1, 200).Select(i => new AtomicWrite(Event($"a-{i}", i, Pid, WriterGuid))).ToArray());
            var probe = CreateTestProbe(first);
            if (deletion)
            {
                journal.Tell(new DeleteMessagesTo(Pid, 50, probe.Ref));
                probe.ExpectMsg<DeleteMessagesSuccess>(Slow);
            }
            if (snapshot)
            {
                Persistence.Instance.Apply(first).SnapshotStoreFor(null).Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 150, DateTime.UtcNow), "at 150"), probe.Ref);
                probe.ExpectMsg<SaveSnapshotSuccess>(Slow);
            }
        }
        finally
        {
            Terminate(first);
        }

        var second = StartSystem("opens-second");
        try
        {
            // The journal's start (its event index reads the end of every log) is over before counting: a write of
            // another id waits for it.
            WriteSuccessfully(JournalOf(second), second, new AtomicWrite(Event("a-1", 1, Pid + "-other", WriterGuid)));
            using var watch = new OpenWatch(JournalDirectory);
            var reporter = CreateTestProbe(second);
            var actor = second.ActorOf(ReportingActor.Props(Pid, reporter.Ref));
            var recovered = reporter.ExpectMsg<ReportingActor.Recovered>(Slow);
            Assert.Equal(200, recovered.LastSequenceNr);
            Assert.Equal(snapshot ? 50 : deletion ? 150 : 200, recovered.Events.Count);

            string log = Path.GetFileName(EventLogPath(Pid));
            Assert.Equal(1, watch.Opens(log));
            Assert.Equal(deletion ? 1 : 0, watch.Opens(log.Replace(".jsonl", ".deleted.jsonl")));

            // The first write after it appends (reopening the log for writing, as the handle was closed after the replay).
            actor.Tell("a-201", reporter.Ref);
            Assert.Equal(201, reporter.ExpectMsg<ReportingActor.Persisted>(Slow).SequenceNr);
            Assert.Equal(2, watch.Opens(log));
        }
        finally
        {
            Terminate(second);
        }
    }
}
