using MiniStore.CrashCampaign;
using System.Text;
using Akka.Actor;
using Akka.Persistence.MiniStore.Tests.Journal;
using MiniStore;
using MiniStore.CrashWriter;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Crash;

/// <summary>
/// A compaction killed (SIGKILL, in a child process) right after each of its steps: reopened, the store holds the old
/// log or the new one, whole, every live event replays, the highest sequence number is kept, no half-written copy is
/// left, and the log takes new writes.
/// </summary>
public sealed class CompactionCrashTests : JournalTestKit
{
    public CompactionCrashTests(ITestOutputHelper output) : base(output) { }

    [Theory]
    [InlineData(CompactionCrash.Step.TemporaryWritten, false)]
    [InlineData(CompactionCrash.Step.TemporarySynced, false)]
    [InlineData(CompactionCrash.Step.Renamed, true)]
    [InlineData(CompactionCrash.Step.DirectorySynced, true)]
    public async Task A_compaction_killed_after_each_step_leaves_the_old_or_the_new_log_and_loses_no_live_event(CompactionCrash.Step step, bool replaced)
    {
        string store = NewDirectory();
        var stderr = new StringBuilder();
        using (var process = WriterProcess.Start(WriterProcess.DotnetHost, [WriterProcess.DllPath, store, step.ToString(), "compact"], stderr))
        {
            string output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync();
            Assert.True(output.Contains($"CRASH {step}"), $"the child did not stop at {step}: {output}\n{stderr}");
            Assert.NotEqual(0, process.ExitCode);
        }
        string log = Path.Combine(store, "journal", PersistenceIdFileName.For(CompactionCrash.PersistenceId) + ".jsonl");
        int expectedLines = replaced ? CompactionCrash.Events - CompactionCrash.DeleteTo : CompactionCrash.Events;
        Assert.Equal(expectedLines, ReadLines(log).Count);
        Assert.Equal(File.Exists(log + LogCompactor.TemporaryExtension), !replaced);

        var system = ActorSystem.Create("reopened", Configuration(store, JournalTestKit.Config));
        try
        {
            var journal = JournalOf(system);
            var (events, highest) = Replay(journal, system, CompactionCrash.PersistenceId);
            Assert.Equal(Enumerable.Range(CompactionCrash.DeleteTo + 1, CompactionCrash.Events - CompactionCrash.DeleteTo).Select(i => (long)i), events.Select(e => e.SequenceNr));
            Assert.Equal(CompactionCrash.Events, highest);
            Assert.False(File.Exists(log + LogCompactor.TemporaryExtension));

            WriteSuccessfully(journal, system, new AtomicWrite(Event("after the crash", CompactionCrash.Events + 1, CompactionCrash.PersistenceId, WriterGuid)));
            Assert.Equal(CompactionCrash.Events + 1, Replay(journal, system, CompactionCrash.PersistenceId).Events[^1].SequenceNr);
        }
        finally
        {
            Terminate(system);
            try { Directory.Delete(store, true); } catch (IOException) { }
        }
    }
}
