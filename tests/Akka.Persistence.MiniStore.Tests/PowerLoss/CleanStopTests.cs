using System.Text.Json;
using Akka.Persistence.MiniStore.Tests.Journal;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.PowerLoss;

/// <summary>
/// A journal that stops cleanly marks its event index as up to date, so the next start does not read the end of every
/// log to catch the index up (on a device with thousands of logs on an SD card that is most of the start-up). The
/// start supersedes the mark before anything is written, so a journal that then crashes is caught up from its logs as
/// before: the index is never trusted after anything but a clean stop.
/// </summary>
public class CleanStopTests(ITestOutputHelper output) : JournalTestKit(output)
{
    private string Index => Path.Combine(JournalDirectory, "index", "events.jsonl");
    private string Marks => Path.Combine(JournalDirectory, "index", "checked.jsonl");

    [SkippableFact]
    public void After_a_clean_stop_no_log_is_read_at_start_and_after_a_crash_the_index_is_caught_up_from_the_logs()
    {
        Skip.IfNot(OpenWatch.IsSupported, "the opens are counted with inotify, which only Linux has");
        string[] ids = [Pid + "-a", Pid + "-b", Pid + "-c"];
        var first = StartSystem("clean-first");
        try
        {
            WriteSuccessfully(JournalOf(first), first, ids.Select(id => new AtomicWrite(Event("a-1", 1, id, WriterGuid))).ToArray());
        }
        finally
        {
            Terminate(first);
        }
        Assert.True(LastMark().TryGetProperty("clean", out var handedOut), "a clean stop left no mark");
        Assert.Equal(3, handedOut.GetInt64());

        // Started again after the clean stop: no log is opened to catch the index up (a write waits for the catch-up).
        string copy = NewDirectory();
        var second = StartSystem("clean-second");
        try
        {
            using var watch = new OpenWatch(JournalDirectory);
            WriteSuccessfully(JournalOf(second), second, new AtomicWrite(Event("a-2", 2, ids[0], WriterGuid)));
            Assert.Equal(0, ids.Skip(1).Sum(id => watch.Opens(Path.GetFileName(EventLogPath(id)))));
            Assert.False(LastMark().TryGetProperty("clean", out _), "the mark of the clean stop still stands while the journal runs");
            Assert.Equal(4, Orderings().Count);

            // A crash now (the store copied while the journal runs) with the index's last entries lost, as a power loss can.
            CopyDirectory(StoreDirectory, copy);
            string copiedIndex = Path.Combine(copy, "journal", "index", "events.jsonl");
            var lines = File.ReadAllLines(copiedIndex);
            File.WriteAllLines(copiedIndex, lines[..2]);
        }
        finally
        {
            Terminate(second);
        }

        var afterCrash = Akka.Actor.ActorSystem.Create("after-crash", Configuration(copy, Config));
        try
        {
            WriteSuccessfully(JournalOf(afterCrash), afterCrash, new AtomicWrite(Event("a-2", 2, ids[1], WriterGuid)));
            Assert.Equal([1L, 2, 3, 4, 5], Orderings(Path.Combine(copy, "journal", "index", "events.jsonl")));
        }
        finally
        {
            Terminate(afterCrash);
            Directory.Delete(copy, recursive: true);
        }
    }

    private JsonElement LastMark()
    {
        using var marks = MiniStoreLog.Open(Marks, readOnly: true);
        return JsonDocument.Parse(marks.LastRecordAtOpen!.Value.Json).RootElement;
    }

    private List<long> Orderings(string? index = null)
    {
        using var log = MiniStoreLog.Open(index ?? Index, readOnly: true);
        return log.Read().Select(r => JsonDocument.Parse(r.Json).RootElement.GetProperty("ord").GetInt64()).ToList();
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock")))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
