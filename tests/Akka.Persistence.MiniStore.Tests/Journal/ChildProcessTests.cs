using System.Text;
using MiniStore.CrashCampaign;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// Two properties a small device needs, each shown in a process of its own (tests/MiniStore.CrashWriter), so that
/// its file limit and its heap are its own:
/// <list type="bullet">
/// <item>The file budget follows the process's limit: thousands of actors persisting at once under a low
/// <c>ulimit -n</c>, with the default settings and with descriptors held elsewhere in the process (as sockets would),
/// all succeed and all replay.</item>
/// <item>Memory follows what is live, not history: one short-lived actor per id (recover, persist, stop), 100,000 ids,
/// and the managed heap after a full collection ends within a few MB of where it was after 1,000.</item>
/// </list>
/// </summary>
public sealed class ChildProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _store = MiniStoreSpec.NewDirectory();

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(100)]
    public async Task Thousands_of_actors_writing_at_once_under_a_low_ulimit_all_persist_and_all_replay(int heldDescriptors)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "ulimit -n and bash are needed to run the child under a low file limit");
        var (exit, stdout, stderr) = await RunAsync($"ulimit -n 256 && exec \"{WriterProcess.DotnetHost}\" \"{WriterProcess.DllPath}\" \"{_store}\" 3000 fleet {heldDescriptors}", TimeSpan.FromMinutes(4));
        Assert.True(exit == 0 && stdout.Contains("FLEET OK"), $"exit {exit}:\n{stdout}\n{Tail(stderr)}");
        Assert.Contains("PERSISTED 3000", stdout);
        Assert.Contains("RECOVERED 3000", stdout);
        Assert.DoesNotContain("Too many open files", stderr);
    }

    [SkippableFact]
    public async Task The_heap_after_100000_short_lived_ids_is_within_a_few_MB_of_the_heap_after_1000()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the child is started through bash");
        var (exit, stdout, stderr) = await RunAsync($"exec \"{WriterProcess.DotnetHost}\" \"{WriterProcess.DllPath}\" \"{_store}\" 100000 memory", TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"exit {exit}:\n{stdout}\n{Tail(stderr)}");
        var heaps = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("HEAP ")).Select(l => l.Split(' '))
            .ToDictionary(p => int.Parse(p[1]), p => long.Parse(p[2]));
        long growth = heaps[100_000] - heaps[1_000];
        output.WriteLine($"managed heap after a full collection: {heaps[1_000]:N0} B after 1,000 ids, {heaps[100_000]:N0} B after 100,000 ({growth / 99_000.0:N1} B per id)");
        Assert.True(growth < 3 * 1024 * 1024, $"the heap grew by {growth:N0} bytes from 1,000 to 100,000 ids ({growth / 99_000.0:N1} B per id)");
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string script, TimeSpan patience)
    {
        var stderr = new StringBuilder();
        using var process = WriterProcess.Start("/bin/bash", ["-c", script], stderr);
        string stdout = await process.StandardOutput.ReadToEndAsync().WaitAsync(patience);
        await process.WaitForExitAsync().WaitAsync(patience);
        lock (stderr) return (process.ExitCode, stdout, stderr.ToString());
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    public void Dispose()
    {
        try { Directory.Delete(_store, recursive: true); } catch (IOException) { }
    }
}
