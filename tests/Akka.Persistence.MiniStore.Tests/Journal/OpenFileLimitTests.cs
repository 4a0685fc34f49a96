using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// max-open-files: however many persistence ids the journal serves, the file handles it holds in its directory stay
/// within the setting (counted in /proc/self/fd while the work runs), and closing least recently used logs loses no
/// acknowledged write and never cuts into one.
/// </summary>
public class OpenFileLimitTests : JournalTestKit
{
    private const int MaxOpenFiles = 4;

    public OpenFileLimitTests(ITestOutputHelper output)
        : base(output, $"akka.persistence.journal.ministore.max-open-files = {MaxOpenFiles}") { }

    [SkippableFact]
    public void Writes_to_more_ids_than_open_files_all_replay_in_order_while_handles_stay_within_the_limit()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the open files are counted in /proc/self/fd, which only Linux has");
        var ids = Enumerable.Range(1, 12).Select(i => $"{Pid}-{i}").ToList();
        var probe = CreateTestProbe();
        using var handles = new HandleSampler(JournalDirectory);

        // Many WriteMessages in flight at once, each touching every id, so logs are closed between (and queued behind)
        // writes to the same id all the time.
        const int Rounds = 8;
        for (int round = 0; round < Rounds; round++)
        {
            long seq = round * 3;
            var writes = ids.SelectMany(id => new[]
            {
                new AtomicWrite(Event($"a-{seq + 1}", seq + 1, id, WriterGuid)),
                Atomic(Event($"a-{seq + 2}", seq + 2, id, WriterGuid), Event($"a-{seq + 3}", seq + 3, id, WriterGuid)),
            }).ToArray();
            Journal.Tell(new WriteMessages(writes, probe.Ref, ActorInstanceId));
        }
        var replies = probe.ReceiveN(Rounds * (1 + ids.Count * 3), TimeSpan.FromSeconds(60));
        Assert.Equal(Rounds, replies.Count(r => r is WriteMessagesSuccessful));
        Assert.All(replies.Where(r => r is not WriteMessagesSuccessful), r => Assert.IsType<WriteMessageSuccess>(r));

        var all = Enumerable.Range(1, Rounds * 3).Select(i => (long)i).ToArray();
        foreach (var id in ids)
        {
            var (events, highest) = Replay(id);
            AssertTckEvents(events, id, all);
            Assert.Equal(Rounds * 3, highest);
            Assert.Equal(all, ReadLines(EventLogPath(id)).Select(l => l.Seq));
        }
        // Deletions (their log is opened for the purpose) and replays after them obey the limit too.
        foreach (var id in ids)
        {
            Journal.Tell(new DeleteMessagesTo(id, 5, probe.Ref));
            probe.ExpectMsg<DeleteMessagesSuccess>();
        }
        foreach (var id in ids)
            AssertTckEvents(Replay(id).Events, id, all[5..]);

        handles.Stop();
        // The lock file and the event index (index/events.jsonl) are held open besides the logs.
        Assert.True(handles.Max <= MaxOpenFiles + 2, $"{handles.Max} handles into the journal directory at once (limit {MaxOpenFiles}, plus the lock file and the event index)");
        Assert.True(handles.Max >= 2, $"the sampler saw {handles.Max} handles: it is not looking at the journal's files");
    }
}
