using MiniStore.CrashCampaign;
using System.Text;
using Akka.Actor;
using Akka.Persistence.MiniStore.Tests.Crash;
using Akka.Persistence.MiniStore.Tests.Journal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Hostile;

/// <summary>
/// A 100 MB line in an event log (one line with no limit would have to be held whole in memory): reading stops at
/// max-record-size with an error naming file, line, persistence id and the limit, within a heap far smaller than
/// the line, and the journal goes on serving other ids.
/// </summary>
public class HugeLineTests : JournalTestKit
{
    private const int HugeLine = 100 * 1024 * 1024;
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    public HugeLineTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public async Task A_100_MB_line_fails_recovery_naming_the_limit_without_being_loaded()
    {
        var first = StartSystem("huge-first");
        try
        {
            WriteSuccessfully(JournalOf(first), first, new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)));
        }
        finally
        {
            Terminate(first);
        }
        string path = EventLogPath(Pid);
        long secondLine = new FileInfo(path).Length;
        await using (var file = new FileStream(path, FileMode.Append))
        {
            file.Write(Encoding.UTF8.GetBytes($"{{\"crc\":\"00000000\",\"rec\":{{\"pid\":\"{Pid}\",\"seq\":2,\"payload\":\""));
            var chunk = Encoding.ASCII.GetBytes(new string('x', 1024 * 1024));
            for (int i = 0; i < HugeLine / chunk.Length; i++)
                file.Write(chunk);
            file.Write("\"}}\n"u8);
        }

        // Engine alone, in a process whose whole GC heap may not exceed 128 MB: a reader that loaded the line (into
        // a buffer doubled up to 128 MB) would die of OutOfMemoryException instead of reporting.
        var stderr = new StringBuilder();
        var info = WriterProcess.Start(WriterProcess.DotnetHost, [WriterProcess.DllPath, path, "0", "read"], stderr,
            new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x8000000" });
        string output = await info.StandardOutput.ReadToEndAsync();
        await info.WaitForExitAsync();
        Assert.True(info.ExitCode == 3, $"reader exited with {info.ExitCode}: {output} {stderr}");
        Assert.Contains($"'{path}' is damaged at line 2 (byte offset {secondLine})", output);
        Assert.Contains("longer than the 16777216-byte limit", output);

        var second = StartSystem("huge-second");
        try
        {
            var reporter = CreateTestProbe(second);
            second.ActorOf(ReportingActor.Props(Pid, reporter.Ref));
            string message = reporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow).Cause.Message;
            Assert.Contains($"'{path}'", message);
            Assert.Contains("line 2", message);
            Assert.Contains($"persistence id '{Pid}'", message);
            Assert.Contains("longer than the 16777216-byte limit", message);

            var other = second.ActorOf(ReportingActor.Props(Pid + "-other", reporter.Ref));
            reporter.ExpectMsg<ReportingActor.Recovered>(Slow);
            other.Tell("b-1", reporter.Ref);
            reporter.ExpectMsg<ReportingActor.Persisted>(Slow);
        }
        finally
        {
            Terminate(second);
        }
        Assert.Equal(secondLine + HugeLine + 3 + 1 + $"{{\"crc\":\"00000000\",\"rec\":{{\"pid\":\"{Pid}\",\"seq\":2,\"payload\":\"".Length, new FileInfo(path).Length);
    }
}
