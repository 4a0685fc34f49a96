using System.Text;
using Akka.Persistence.MiniStore.Tests;
using Akka.Persistence.MiniStore.Tests.Crash;
using Akka.Persistence.Query;
using MiniStore.CrashCampaign;
using Xunit;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// A real writer process (tests/MiniStore.CrashWriter) killed with SIGKILL mid-write, several times: each restart
/// catches the index up with what the logs hold, and the index then lists exactly the stored events, each once, in
/// strictly increasing orderings, including every acknowledged one.
/// </summary>
public sealed class KilledWriterTests : IDisposable
{
    private const int Actors = 3;
    private readonly string _directory = MiniStoreSpec.NewDirectory();

    [Fact]
    public async Task After_kills_the_index_lists_every_stored_event_once_in_increasing_orderings()
    {
        var acknowledged = new HashSet<string>();
        var deletedTo = new Dictionary<string, long>();
        for (int cycle = 1; cycle <= 3; cycle++)
        {
            foreach (var line in await RunAndKillAsync(acks: 40 * cycle))
            {
                var parts = line.Split(' ');
                if (parts[0] == "ACK") acknowledged.Add($"{parts[1]}/{parts[2]}");
                // A deletion is durable before the writer hears of it: a kill in between leaves a requested (DELETE)
                // but unreported deletion, so events up to every requested one may be gone.
                if (parts[0] is "DELETE" or "DELETED") deletedTo[parts[1]] = Math.Max(deletedTo.GetValueOrDefault(parts[1]), long.Parse(parts[2]));
            }
        }

        using var store = new StoreSystem(_directory);
        var all = store.Queries.CurrentAllEvents(NoOffset.Instance).RunWith(Akka.Streams.Dsl.Sink.Seq<EventEnvelope>(), store.Materializer).Result;
        var orderings = all.Select(e => ((Sequence)e.Offset).Value).ToList();
        Assert.Equal(orderings.Distinct().Order(), orderings);
        var indexed = all.Select(e => $"{e.PersistenceId}/{e.SequenceNr}").ToList();
        Assert.Equal(indexed.Count, indexed.Distinct().Count());

        // The index agrees with the logs, id by id.
        var ids = store.CurrentIds();
        Assert.Equal(Actors, ids.Count);
        foreach (var id in ids)
        {
            var inLog = store.Collect(store.Queries.CurrentEventsByPersistenceId(id, 0, long.MaxValue)).Select(e => e[..e.IndexOf(':')]);
            Assert.Equal(inLog, indexed.Where(e => e.StartsWith(id + "/", StringComparison.Ordinal)));
        }
        // Every acknowledged event that was not deleted is there.
        var expected = acknowledged.Where(a => long.Parse(a[(a.IndexOf('/') + 1)..]) > deletedTo.GetValueOrDefault(a[..a.IndexOf('/')])).ToList();
        Assert.NotEmpty(expected);
        Assert.Empty(expected.Except(indexed));
    }

    private async Task<List<string>> RunAndKillAsync(int acks)
    {
        var stderr = new StringBuilder();
        using var process = WriterProcess.Start(WriterProcess.DotnetHost, [WriterProcess.DllPath, _directory, Actors.ToString()], stderr);
        var lines = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (lines.Count(l => l.StartsWith("ACK ", StringComparison.Ordinal)) < acks)
            {
                string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                Assert.True(line is not null, $"the writer exited early. stderr:\n{stderr}");
                lines.Add(line!);
            }
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true); // SIGKILL on Unix
            await process.WaitForExitAsync();
        }
        var rest = (await process.StandardOutput.ReadToEndAsync()).Split('\n');
        lines.AddRange(rest.Take(rest.Length - 1));
        return lines;
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
