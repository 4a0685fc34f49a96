using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence.MiniStore.Tests;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// Queries over a store on a read-only mount (a device's card inspected elsewhere, a backup): every current query
/// answers as it would on a writable store. The mount is a tmpfs remounted read-only, which needs root on Linux
/// (skipped elsewhere, saying why).
/// </summary>
public class ReadOnlyStoreQueryTests(ITestOutputHelper output) : QuerySpec(output)
{
    [SkippableFact]
    public async Task Every_current_query_answers_on_a_read_only_mount()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && Run("id", "-u").Trim() == "0", "mounting a tmpfs read-only needs root on Linux");
        string mount = NewDirectory();
        Directory.CreateDirectory(mount);
        Skip.If(Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount) is var failed && !IsMounted(mount), $"tmpfs could not be mounted: {failed}");
        try
        {
            string store = Path.Combine(mount, "store");
            var first = ActorSystem.Create("ro-writer", Configuration(store, AdapterConfig));
            try
            {
                var writer = first.ActorOf(Writer.Props("fruit-1"));
                foreach (var e in new[] { "green apple", "yellow banana", "black grape" })
                {
                    writer.Tell(e, TestActor);
                    ExpectMsg($"{e}-done", TimeSpan.FromSeconds(10));
                }
                first.ActorOf(Writer.Props("fruit-2")).Tell("blue berry", TestActor);
                ExpectMsg("blue berry-done", TimeSpan.FromSeconds(10));
            }
            finally
            {
                await first.Terminate();
            }
            Assert.Equal("", Run("mount", "-o", "remount,ro", mount));

            var reader = ActorSystem.Create("ro-reader", Configuration(store, AdapterConfig));
            try
            {
                var queries = PersistenceQuery.Get(reader).ReadJournalFor<MiniStoreReadJournal>(MiniStoreReadJournal.Identifier);
                var materializer = reader.Materializer();
                async Task<List<string>> All(Source<EventEnvelope, NotUsed> source) =>
                    (await source.RunWith(Sink.Seq<EventEnvelope>(), materializer).WaitAsync(TimeSpan.FromSeconds(30))).Select(e => $"{e.PersistenceId}/{e.SequenceNr}:{e.Event}").ToList();
                Assert.Equal(["fruit-1/1:green apple"], await All(queries.CurrentEventsByTag("apple", Offset.NoOffset())));
                Assert.Equal(["fruit-1/3:black grape"], await All(queries.CurrentEventsByTag("black", Offset.NoOffset())));
                Assert.Equal(["fruit-1/1:green apple", "fruit-1/2:yellow banana", "fruit-1/3:black grape", "fruit-2/1:blue berry"], await All(queries.CurrentAllEvents(Offset.NoOffset())));
                Assert.Equal(["fruit-1/2:yellow banana", "fruit-1/3:black grape"], await All(queries.CurrentEventsByPersistenceId("fruit-1", 2, long.MaxValue)));
                Assert.Equal(["fruit-1", "fruit-2"], await queries.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), materializer).WaitAsync(TimeSpan.FromSeconds(30)));
            }
            finally
            {
                await reader.Terminate();
            }
        }
        finally
        {
            Run("umount", "-l", mount);
            try { Directory.Delete(mount, recursive: true); } catch (IOException) { }
        }
    }

    private static bool IsMounted(string path) => File.ReadAllText("/proc/mounts").Contains($" {path} ");

    private static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
