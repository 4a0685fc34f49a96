using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// The journal's write threads start when a burst needs them (writes of many ids fsync'd side by side) and end once
/// there has been no work for a while, so a small device keeps no idle threads after a fleet's recovery or a burst.
/// Counted by name in /proc/self/task (Linux names threads by their first 15 characters).
/// </summary>
[Collection(nameof(WriteThreadsTests))] // alone: the threads of the journals of tests running beside it would be counted too
public class WriteThreadsTests(ITestOutputHelper output) : JournalTestKit(output)
{
    [SkippableFact]
    public void Write_threads_start_for_a_burst_and_end_when_idle()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "threads are counted by name in /proc/self/task, which only Linux has");
        // Writes of 40 ids in one call: each id's fsync on a write thread of its own, up to the thread limit.
        WriteSuccessfully(Enumerable.Range(0, 40).Select(i => new AtomicWrite(Event("a-1", 1, $"{Pid}-{i}", WriterGuid))).ToArray());
        int started = Count();
        Assert.True(started >= 2, $"{started} write threads ran the burst");

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (Count() > 0 && DateTime.UtcNow < until)
            Thread.Sleep(250);
        Assert.Equal(0, Count());

        // And they come back for the next burst.
        WriteSuccessfully(Enumerable.Range(0, 40).Select(i => new AtomicWrite(Event("a-2", 2, $"{Pid}-{i}", WriterGuid))).ToArray());
        Assert.True(Count() >= 2);
    }

    /// <summary>Threads of this process named like the journal's.</summary>
    private static int Count() =>
        Directory.GetDirectories("/proc/self/task").Count(task =>
        {
            try { return File.ReadAllText(Path.Combine(task, "comm")).Trim() == "ministore-journ"; }
            catch (IOException) { return false; } // the thread ended while being looked at
        });
}

[CollectionDefinition(nameof(WriteThreadsTests), DisableParallelization = true)]
public class WriteThreadsCollection;
