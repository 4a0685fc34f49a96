using MiniStore.CrashCampaign;
using System.Text;
using Akka.Actor;
using Akka.Persistence.MiniStore.Tests.Crash;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Store;

/// <summary>
/// One owner per store across processes: while tests/MiniStore.CrashWriter persists into a store, this process's
/// actor system on the same directories is refused with the writer's process id; once the writer is killed
/// (SIGKILL: the OS drops its lock), this system takes over and replays everything the writer acknowledged.
/// </summary>
public sealed class StoreOwnerProcessTests : MiniStoreSpec
{
    private const string WriterPid = "crash-0";
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(15);

    public StoreOwnerProcessTests(ITestOutputHelper output) : base(output, "akka.loglevel = WARNING", NewDirectory()) { }

    [Fact]
    public async Task A_store_owned_by_another_process_is_refused_naming_it_and_taken_over_once_it_is_killed()
    {
        var stderr = new StringBuilder();
        using var writer = WriterProcess.Start(WriterProcess.DotnetHost, [WriterProcess.DllPath, StoreDirectory, "1"], stderr);
        long acked;
        try
        {
            acked = await WaitForAcksAsync(writer, 20, stderr);

            // Both a persistent actor's recovery and the journal's own requests are refused, naming the writer.
            var reporter = CreateTestProbe();
            Sys.ActorOf(ReportingActor.Props(WriterPid, reporter.Ref));
            AssertRefusedBy(writer.Id, reporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow).Cause, JournalDirectory, SnapshotDirectory);
            var journal = Persistence.Instance.Apply(Sys).JournalFor(null);
            var probe = CreateTestProbe();
            var intruder = new Persistent("intruder", 1_000_000, WriterPid, "", false, probe.Ref, "intruder-writer");
            journal.Tell(new WriteMessages([new AtomicWrite(intruder)], probe.Ref, 1));
            AssertRefusedBy(writer.Id, probe.ExpectMsg<WriteMessagesFailed>(Slow).Cause, JournalDirectory);

            Assert.False(writer.HasExited, "the writer must still be running: " + stderr);
            acked = await WaitForAcksAsync(writer, 10, stderr, acked);
        }
        finally
        {
            if (!writer.HasExited)
                writer.Kill(entireProcessTree: true); // SIGKILL on Unix
            await writer.WaitForExitAsync();
        }

        // The writer is gone and so is its lock: the same journal now serves, and the log holds only the writer's events.
        var after = CreateTestProbe();
        Sys.ActorOf(ReportingActor.Props(WriterPid, after.Ref));
        var recovered = after.ExpectMsg<ReportingActor.Recovered>(Slow);
        Assert.True(recovered.LastSequenceNr >= acked, $"recovered up to {recovered.LastSequenceNr}, the writer acknowledged {acked}");
        Assert.DoesNotContain("intruder", File.ReadAllText(EventLogPath(WriterPid)));
    }

    private static void AssertRefusedBy(int processId, Exception cause, params string[] directories)
    {
        var locked = Assert.IsType<StoreLockedException>(cause);
        Assert.Contains(locked.Directory, directories);
        Assert.Contains($"'{locked.Directory}'", locked.Message);
        Assert.Contains($"process {processId} on host", locked.Message);
        Assert.Equal(processId, locked.OwnerProcessId);
    }

    /// <summary>Reads the writer's output until <paramref name="count"/> more events were acknowledged; returns the last sequence number.</summary>
    private static async Task<long> WaitForAcksAsync(System.Diagnostics.Process writer, int count, StringBuilder stderr, long after = 0)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        long last = after;
        while (last < after + count)
        {
            string? line;
            try
            {
                line = await writer.StandardOutput.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"the writer acknowledged only up to {last} in 60 s; stderr: {stderr}");
            }
            if (line is null)
                throw new Xunit.Sdk.XunitException($"the writer exited; stderr: {stderr}");
            var parts = line.Split(' ');
            if (parts is ["ACK", WriterPid, var seq])
                last = long.Parse(seq);
        }
        return last;
    }
}
