using System.Text;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>How the journal lays events out on disk: atomic batches, one file per persistence id, ordering of reads after writes.</summary>
public class JournalStorageTests : JournalTestKit
{
    public JournalStorageTests(ITestOutputHelper output) : base(output) { }

    public static readonly string[] HostileIds =
    [
        "a/b",
        "../x",
        "c:d",
        "with space",
        "ünïcödé",
        "ünïcödé/../../etc/passwd",
        string.Concat(Enumerable.Repeat("long/id\\", 40))[..300],
        "Case-Differs",
        "case-differs",
        ".",
        "..",
        "back\\slash\\..\\..",
        "C:\\Windows\\System32",
        "tab\tline\nfeed\rcontrol\u0001\u001b[31m\u007f",
        "emoji 😀 and 日本語",
        new string('x', 1000),
        new string('y', 999) + "Y",
    ];

    [Fact]
    public void An_atomic_write_of_three_events_is_stored_as_one_batch()
    {
        WriteSuccessfully(Atomic(Event("a-1", 1, Pid, WriterGuid), Event("a-2", 2, Pid, WriterGuid), Event("a-3", 3, Pid, WriterGuid)));

        var lines = ReadLines(EventLogPath(Pid));
        Assert.Equal([1L, 2, 3], lines.Select(l => l.Seq));
        Assert.Equal([true, true, false], lines.Select(l => l.More));
        Assert.All(lines, l => Assert.Matches("^[0-9a-f]{8}$", l.Line.GetProperty("crc").GetString()));

        // Further writes in one WriteMessages: each atomic write is its own batch.
        WriteSuccessfully(new AtomicWrite(Event("a-4", 4, Pid, WriterGuid)), Atomic(Event("a-5", 5, Pid, WriterGuid), Event("a-6", 6, Pid, WriterGuid)));
        lines = ReadLines(EventLogPath(Pid));
        Assert.Equal([1L, 2, 3, 4, 5, 6], lines.Select(l => l.Seq));
        Assert.Equal([true, true, false, false, true, false], lines.Select(l => l.More));
        AssertTckEvents(Replay(Pid).Events, Pid, 1, 2, 3, 4, 5, 6);
    }

    [Fact]
    public void An_atomic_write_cut_short_by_a_crash_is_not_replayed_in_part()
    {
        var first = StartSystem("torn-batch-first");
        try
        {
            WriteSuccessfully(JournalOf(first), first,
                new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)),
                Atomic(Event("a-2", 2, Pid, WriterGuid), Event("a-3", 3, Pid, WriterGuid), Event("a-4", 4, Pid, WriterGuid)));
        }
        finally
        {
            Terminate(first);
        }
        // Cut the last line of the batch off, as a crash during the write would.
        var path = EventLogPath(Pid);
        var text = File.ReadAllText(path);
        var lastLineStart = text.LastIndexOf('\n', text.Length - 2) + 1;
        File.WriteAllText(path, text[..lastLineStart]);
        Assert.Equal([false, true, true], ReadLines(path).Select(l => l.More));
        // A crash that cut the batch short came before its acknowledgement, so before its event index entries were
        // written too (the index lists only events already fsync'd): without them, as a real crash leaves it.
        File.Delete(Path.Combine(JournalDirectory, "index", "events.jsonl"));

        var restarted = StartSystem("torn-batch-second");
        try
        {
            var (events, highest) = Replay(JournalOf(restarted), restarted, Pid);
            AssertTckEvents(events, Pid, 1);
            Assert.Equal(1, highest);

            WriteSuccessfully(JournalOf(restarted), restarted, new AtomicWrite(Event("a-2", 2, Pid, WriterGuid)));
            AssertTckEvents(Replay(JournalOf(restarted), restarted, Pid).Events, Pid, 1, 2);
        }
        finally
        {
            Terminate(restarted);
        }
    }

    [Fact]
    public void Highest_sequence_number_read_right_after_a_write_includes_that_write()
    {
        // A restarting actor may ask before its last write was acknowledged; the answer must not miss that write.
        var replyProbe = CreateTestProbe();
        var writeProbe = CreateTestProbe();
        var ids = Enumerable.Range(1, 20).Select(i => $"{Pid}-{i}").ToList();
        foreach (var id in ids)
        {
            Journal.Tell(new WriteMessages([Atomic(Event("a-1", 1, id, WriterGuid), Event("a-2", 2, id, WriterGuid)), new AtomicWrite(Event("a-3", 3, id, WriterGuid))], writeProbe.Ref, ActorInstanceId));
            Journal.Tell(new ReplayMessages(0, long.MaxValue, 0, id, replyProbe.Ref));
        }
        foreach (var id in ids)
            Assert.Equal(3, replyProbe.ExpectMsg<RecoverySuccess>().HighestSequenceNr);

        // Also for an id whose log is already open, and with the events themselves replayed.
        var first = ids[0];
        Journal.Tell(new WriteMessages([new AtomicWrite(Event("a-4", 4, first, WriterGuid)), Atomic(Event("a-5", 5, first, WriterGuid), Event("a-6", 6, first, WriterGuid))], writeProbe.Ref, ActorInstanceId));
        Journal.Tell(new ReplayMessages(0, long.MaxValue, long.MaxValue, first, replyProbe.Ref));
        for (long i = 1; i <= 6; i++)
            Assert.Equal(i, replyProbe.ExpectMsg<ReplayedMessage>().Persistent.SequenceNr);
        Assert.Equal(6, replyProbe.ExpectMsg<RecoverySuccess>().HighestSequenceNr);

        writeProbe.ReceiveN(ids.Count * 4 + 4); // WriteMessagesSuccessful and three WriteMessageSuccess per id, then the last write
    }

    [Fact]
    public void Hostile_persistence_ids_each_get_their_own_file_inside_the_journal_directory()
    {
        var first = StartSystem("hostile-first");
        try
        {
            // All ids in one WriteMessages, two events each.
            var writes = HostileIds.SelectMany(id => new[] { new AtomicWrite(Event(id + "#1", 1, id, WriterGuid)), new AtomicWrite(Event(id + "#2", 2, id, WriterGuid)) }).ToArray();
            WriteSuccessfully(JournalOf(first), first, writes);
            foreach (var id in HostileIds)
                AssertOwnEvents(Replay(JournalOf(first), first, id), id);
        }
        finally
        {
            Terminate(first);
        }

        // Besides the logs, only the event index (in its own sub-directory, with no name derived from an id) and the lock file.
        string indexDirectory = Path.Combine(JournalDirectory, "index");
        var files = Directory.GetFiles(StoreDirectory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetDirectoryName(f) != indexDirectory && Path.GetFileName(f) != Akka.Persistence.MiniStore.Journal.MiniStoreJournal.LockFileName).ToArray();
        Assert.All(files, f => Assert.Equal(JournalDirectory, Path.GetDirectoryName(f)));
        Assert.Equal([indexDirectory], Directory.GetDirectories(JournalDirectory));
        Assert.Equal(["checked.jsonl", "events.jsonl"], Directory.GetFiles(indexDirectory).Select(Path.GetFileName).Order()); // the index, and how much of it is known intact
        Assert.Equal(HostileIds.Length, files.Length);
        Assert.Equal(HostileIds.Select(id => PersistenceIdFileName.For(id) + ".jsonl").Order(), files.Select(Path.GetFileName).Order());
        Assert.All(files, f => Assert.True(Encoding.UTF8.GetByteCount(Path.GetFileName(f)) < 255, f));
        foreach (var id in HostileIds)
            Assert.All(ReadLines(EventLogPath(id)), l => Assert.Equal(id, l.Pid));

        // And after a restart each id still replays its own events only.
        var second = StartSystem("hostile-second");
        try
        {
            foreach (var id in HostileIds)
                AssertOwnEvents(Replay(JournalOf(second), second, id), id);
        }
        finally
        {
            Terminate(second);
        }

        static void AssertOwnEvents((IReadOnlyList<IPersistentRepresentation> Events, long Highest) replay, string id)
        {
            Assert.Equal([id + "#1", id + "#2"], replay.Events.Select(e => (string)e.Payload));
            Assert.All(replay.Events, e => Assert.Equal(id, e.PersistenceId));
            Assert.Equal(2, replay.Highest);
        }
    }

    [Fact]
    public void A_log_file_holding_another_persistence_ids_events_is_reported_not_replayed()
    {
        var owner = Pid + "-owner";
        var first = StartSystem("foreign-first");
        try
        {
            WriteSuccessfully(JournalOf(first), first, new AtomicWrite(Event("a-1", 1, owner, WriterGuid)), new AtomicWrite(Event("a-2", 2, owner, WriterGuid)));
        }
        finally
        {
            Terminate(first);
        }
        // A file in the wrong place (copied by hand, restored from a backup of another id, ...).
        File.Copy(EventLogPath(owner), EventLogPath(Pid));

        var second = StartSystem("foreign-second");
        try
        {
            var probe = CreateTestProbe(second);
            JournalOf(second).Tell(new ReplayMessages(0, long.MaxValue, long.MaxValue, Pid, probe.Ref));
            var failure = probe.ExpectMsg<ReplayMessagesFailure>();
            Assert.Contains(owner, failure.Cause.Message);
            Assert.Contains(Pid, failure.Cause.Message);

            // The rightful owner is not affected.
            AssertTckEvents(Replay(JournalOf(second), second, owner).Events, owner, 1, 2);
        }
        finally
        {
            Terminate(second);
        }
    }

    [Fact]
    public void Persistence_ids_differing_only_in_case_are_kept_apart()
    {
        WriteSuccessfully(new AtomicWrite(Event("upper", 1, "Order-1", WriterGuid)));
        WriteSuccessfully(new AtomicWrite(Event("lower-1", 1, "order-1", WriterGuid)), new AtomicWrite(Event("lower-2", 2, "order-1", WriterGuid)));

        Assert.NotEqual(EventLogPath("Order-1"), EventLogPath("order-1"));
        Assert.Equal(["upper"], Replay("Order-1").Events.Select(e => (string)e.Payload));
        Assert.Equal(1, Replay("Order-1").Highest);
        Assert.Equal(["lower-1", "lower-2"], Replay("order-1").Events.Select(e => (string)e.Payload));
    }

    [Fact]
    public void Writes_for_several_persistence_ids_in_one_call_land_in_their_own_files_in_order()
    {
        var a = Pid + "-a";
        var b = Pid + "-b";
        WriteSuccessfully(
            new AtomicWrite(Event("a-1", 1, a, WriterGuid)),
            new AtomicWrite(Event("b-1", 1, b, WriterGuid)),
            Atomic(Event("a-2", 2, a, WriterGuid), Event("a-3", 3, a, WriterGuid)),
            new AtomicWrite(Event("b-2", 2, b, WriterGuid)));

        Assert.Equal([1L, 2, 3], ReadLines(EventLogPath(a)).Select(l => l.Seq));
        Assert.Equal([false, true, false], ReadLines(EventLogPath(a)).Select(l => l.More));
        Assert.Equal([1L, 2], ReadLines(EventLogPath(b)).Select(l => l.Seq));
        Assert.Equal(["a-1", "a-2", "a-3"], Replay(a).Events.Select(e => (string)e.Payload));
        Assert.Equal(["b-1", "b-2"], Replay(b).Events.Select(e => (string)e.Payload));
    }
}
