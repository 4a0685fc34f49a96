using System.Text;
using System.Text.RegularExpressions;
using MiniStore.CrashCampaign;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Crash;

/// <summary>
/// Counts the real fdatasync calls of sequential appends with strace. .NET has had a bug where the first
/// Flush(true) skipped the fsync; the engine calls fdatasync itself, and this test checks, from the system calls the
/// kernel saw, that each append made one and that no append was acknowledged before its fdatasync returned.
/// Runs only where strace is on PATH (and may trace); elsewhere it says so and checks nothing.
/// </summary>
public sealed partial class FsyncCountTests : IDisposable
{
    private const int Appends = 100;

    private readonly ITestOutputHelper _output;
    private readonly string _directory = MiniStoreSpec.NewDirectory();

    public FsyncCountTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public async Task Each_sequential_append_is_acknowledged_after_its_own_fdatasync()
    {
        string? strace = WriterProcess.FindOnPath("strace");
        Skip.If(strace is null, "strace is not on PATH, so the fdatasync calls cannot be counted (apt-get install strace; .ci/run installs it)");
        Directory.CreateDirectory(_directory);
        string trace = Path.Combine(_directory, "trace.txt");
        string store = Path.Combine(_directory, "store");

        var stderr = new StringBuilder();
        using var process = WriterProcess.Start(strace!,
            ["-f", "-e", "trace=fdatasync,fsync,write,pwrite64,pwritev,pwritev2", "-o", trace,
             WriterProcess.DotnetHost, WriterProcess.DllPath, store, Appends.ToString(), "engine"], stderr);
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"strace'd engine writer did not finish within 60 s. stderr:\n{stderr}");
        }
        await process.WaitForExitAsync();
        string output = await stdout;
        Skip.If(process.ExitCode != 0 && stderr.ToString().Contains("ptrace", StringComparison.OrdinalIgnoreCase),
            $"strace is on PATH but cannot trace here (exit {process.ExitCode}): {stderr}");
        Assert.True(process.ExitCode == 0, $"strace'd engine writer exited with {process.ExitCode}. stderr:\n{stderr}");

        var acks = output.Split('\n').Where(l => l.StartsWith("ACK engine ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Appends, acks.Count);
        Assert.Contains($"DONE {Appends}", output);

        // Walk the trace in order. A call that another thread interrupted is split into "<unfinished ...>" (printed
        // when it starts) and "<... resumed>" (printed when it returns); a whole line is printed when it returns.
        int fdatasyncs = 0, fsyncs = 0, failedSyncs = 0, fileWrites = 0, ackWrites = 0;
        var tooEarly = new List<string>();
        foreach (string line in await File.ReadAllLinesAsync(trace))
        {
            var call = Syscall().Match(line);
            if (!call.Success)
                continue;
            string name = call.Groups["resumed"].Success ? call.Groups["resumed"].Value : call.Groups["name"].Value;
            var result = Result().Match(line); // absent on an "<unfinished ...>" line
            switch (name)
            {
                case "fdatasync" when result.Success:
                    if (result.Groups["rc"].Value == "0") fdatasyncs++; else failedSyncs++;
                    break;
                case "fsync" when result.Success:
                    if (result.Groups["rc"].Value == "0") fsyncs++; else failedSyncs++;
                    break;
                case "pwrite64" or "pwritev" or "pwritev2" when !call.Groups["resumed"].Success:
                    fileWrites++;
                    break;
                case "write" when !call.Groups["resumed"].Success:
                    var ack = AckWrite().Match(line);
                    if (!ack.Success)
                        break;
                    ackWrites++;
                    // The write of "ACK engine n" starts here: n fdatasyncs must have returned before it.
                    int n = int.Parse(ack.Groups["n"].Value);
                    if (fdatasyncs < n)
                        tooEarly.Add($"ACK {n} written after only {fdatasyncs} fdatasync calls had returned");
                    break;
            }
        }

        _output.WriteLine($"strace of {Appends} sequential engine appends: {acks.Count} ACKs, {ackWrites} ACK writes seen in the trace, " +
            $"{fdatasyncs} fdatasync calls returned 0, {fsyncs} fsync calls (directory syncs), {failedSyncs} failed syncs, {fileWrites} pwrite/pwritev calls");
        Assert.Equal(Appends, ackWrites);
        Assert.Equal(0, failedSyncs);
        Assert.True(fdatasyncs >= Appends, $"{fdatasyncs} fdatasync calls for {Appends} sequential appends: some appends were acknowledged without one");
        Assert.True(tooEarly.Count == 0, string.Join("\n", tooEarly));
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary><c>pid name(</c> or <c>pid &lt;... name resumed&gt;</c> at the start of an strace -f line.</summary>
    [GeneratedRegex(@"^\d+\s+(?:<\.\.\. (?<resumed>\w+) resumed>|(?<name>\w+)\()")]
    private static partial Regex Syscall();

    /// <summary>The return value at the end of a line that shows a call's return.</summary>
    [GeneratedRegex(@"\)\s+=\s+(?<rc>-?\d+)")]
    private static partial Regex Result();

    /// <summary>A write of an ACK line; .NET writes stdout through a dup of fd 1, so any fd.</summary>
    [GeneratedRegex(@"^\d+\s+write\(\d+, ""ACK engine (?<n>\d+)\\n""")]
    private static partial Regex AckWrite();
}
