using Akka.Actor;
using System.Text;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// A replay from a sequence number starts at the batch holding it, found by a binary search over the log: it yields
/// exactly the events from there on, from any place in the log, after a compaction and after a repaired torn tail,
/// and does not read (nor trip over) the lines before it. Compaction is on, so that deletions cut the log.
/// </summary>
public class JournalSeekTests : JournalTestKit
{
    private const int Events = 120;

    public JournalSeekTests(ITestOutputHelper output) : base(output, """
        akka.persistence.journal.ministore.compact-on-delete = on
        akka.persistence.journal.ministore.compact-min-dead-bytes = 0
        akka.persistence.journal.ministore.compact-min-dead-ratio = 0
        """)
    {
    }

    /// <summary>Events 1..<see cref="Events"/> of <see cref="Pid"/> in atomic writes of 1 to 7 events: 1 | 2 3 | 4 5 6 | 7 8 9 10 | 11..15 | ...</summary>
    private void WriteInBatches() => WriteInBatches(Journal, Sys);

    /// <summary>The same, in another actor system that is then terminated, so that this test's journal opens the files afresh.</summary>
    private void WriteInBatchesAndStop()
    {
        var first = StartSystem("seek-first");
        try
        {
            WriteInBatches(JournalOf(first), first);
        }
        finally
        {
            Terminate(first);
        }
    }

    private static long[] Range(long from, long to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i).ToArray();

    private void AssertEveryStartReplaysTheRest(long firstStored)
    {
        for (long from = 0; from <= Events + 1; from++)
        {
            var (events, highest) = Replay(Pid, from);
            AssertTckEvents(events, Pid, Range(Math.Max(from, firstStored), Events));
            Assert.Equal(Events, highest);
        }
        // Upper bounds and limits still apply after a seek, also inside a batch.
        AssertTckEvents(Replay(Pid, 8, 9).Events, Pid, Range(Math.Max(8, firstStored), 9));
        AssertTckEvents(Replay(Pid, 60, long.MaxValue, 3).Events, Pid, 60, 61, 62);
    }

    [Fact]
    public void A_replay_from_every_sequence_number_yields_exactly_the_events_from_there()
    {
        WriteInBatches();
        Assert.Contains(ReadLines(EventLogPath(Pid)), l => l.More);
        AssertEveryStartReplaysTheRest(firstStored: 1);
    }

    [Fact]
    public void After_a_compaction_that_cut_into_a_batch_every_start_replays_the_rest()
    {
        WriteInBatches();
        var probe = CreateTestProbe();
        Journal.Tell(new DeleteMessagesTo(Pid, 8, probe.Ref)); // inside the atomic write 7 8 9 10
        probe.ExpectMsg<DeleteMessagesSuccess>();
        Assert.Equal(Events, Replay(Pid, 1, 0).Highest); // runs after the compaction, in the id's order

        var lines = ReadLines(EventLogPath(Pid));
        Assert.Equal(9, lines[0].Seq);
        Assert.True(lines[0].More);
        AssertEveryStartReplaysTheRest(firstStored: 9);
    }

    [Fact]
    public void After_a_repaired_torn_tail_every_start_replays_the_intact_events()
    {
        WriteInBatchesAndStop();
        string path = EventLogPath(Pid);
        var lastLine = File.ReadAllLines(path)[^1];
        File.AppendAllText(path, lastLine[..40]); // an append cut short by a crash

        AssertEveryStartReplaysTheRest(firstStored: 1);
        Assert.Single(Directory.GetFiles(JournalDirectory, "*.broken"));
        Assert.EndsWith("\n", File.ReadAllText(path));
    }

    private CorruptLogException ReplayFailure(long from)
    {
        var probe = CreateTestProbe();
        Journal.Tell(new ReplayMessages(from, long.MaxValue, long.MaxValue, Pid, probe.Ref));
        var failure = (ReplayMessagesFailure)probe.FishForMessage(m => m is ReplayMessagesFailure || m is RecoverySuccess);
        return Assert.IsType<CorruptLogException>(failure.Cause);
    }

    private void WriteInBatches(IActorRef journal, ActorSystem system)
    {
        var writes = new List<AtomicWrite>();
        for (int from = 1, size = 1; from <= Events; from += size, size = size % 7 + 1)
            writes.Add(Atomic(Enumerable.Range(from, Math.Min(size, Events - from + 1)).Select(i => (IPersistentRepresentation)Event("a-" + i, i, Pid, WriterGuid)).ToArray()));
        WriteSuccessfully(journal, system, writes.ToArray());
    }

    [Fact]
    public void Damage_before_the_replayed_part_is_not_read_and_a_replay_across_it_fails_naming_file_line_and_id()
    {
        WriteInBatchesAndStop();
        // Lines 3 to 12 become text that is no log line at all (their line breaks kept).
        string path = EventLogPath(Pid);
        var lines = File.ReadAllLines(path);
        for (int i = 2; i < 12; i++)
            lines[i] = new string('#', lines[i].Length);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        byte[] damaged = File.ReadAllBytes(path);

        AssertTckEvents(Replay(Pid, Events - 5).Events, Pid, Range(Events - 5, Events));
        Assert.Equal(Events, Replay(Pid, Events + 1).Highest);

        var lineOffsets = new List<long> { 0 };
        foreach (var line in lines)
            lineOffsets.Add(lineOffsets[^1] + Encoding.UTF8.GetByteCount(line) + 1);

        var corrupt = ReplayFailure(1);
        Assert.Equal(3, corrupt.LineNumber);
        Assert.Equal(lineOffsets[2], corrupt.Offset);
        Assert.Contains($"'{path}'", corrupt.Message);
        Assert.Contains("line 3", corrupt.Message);
        Assert.Contains($"persistence id '{Pid}'", corrupt.Message);

        // A replay that starts past the first lines seeks: the damaged line it meets is named by its line number too,
        // counted from the file on this error path.
        var fromSeek = ReplayFailure(8);
        Assert.InRange(fromSeek.LineNumber, 3, 12);
        Assert.Equal(lineOffsets[(int)fromSeek.LineNumber - 1], fromSeek.Offset);
        Assert.Contains($"line {fromSeek.LineNumber}", fromSeek.Message);
        Assert.Contains($"persistence id '{Pid}'", fromSeek.Message);

        Assert.Equal(damaged, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(JournalDirectory, "*.broken"));
    }
}
