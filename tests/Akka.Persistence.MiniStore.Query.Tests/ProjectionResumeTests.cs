using System.Text.Json;
using Akka.Actor;
using Akka.Persistence.MiniStore.Tests;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Xunit;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// A projection keeps its read model and the offset of the last event it handled in one file, replaced atomically,
/// as a real projection keeps both in one transaction. Killed (with the writer's whole actor system, while events are
/// being written) and started again from its stored offset, it must have handled every tagged event exactly once.
/// </summary>
public sealed class ProjectionResumeTests : IDisposable
{
    private readonly string _directory = MiniStoreSpec.NewDirectory();
    private string StatePath => Path.Combine(_directory, "projection.json");

    private sealed record ProjectionState(long Offset, List<string> Handled);

    private ProjectionState Load() =>
        File.Exists(StatePath) ? JsonSerializer.Deserialize<ProjectionState>(File.ReadAllText(StatePath))! : new ProjectionState(0, []);

    private void Save(ProjectionState state)
    {
        File.WriteAllText(StatePath + ".tmp", JsonSerializer.Serialize(state));
        File.Move(StatePath + ".tmp", StatePath, overwrite: true);
    }

    /// <summary>Runs the projection from its stored offset; each envelope is handled and its offset stored in one step.</summary>
    private Task RunProjection(StoreSystem store, Action<int> handledCount)
    {
        var state = Load();
        var offset = state.Offset == 0 ? (Offset)NoOffset.Instance : Offset.Sequence(state.Offset);
        return store.Queries.EventsByTag("green", offset).RunForeach(envelope =>
        {
            state = new ProjectionState(((Sequence)envelope.Offset).Value, [.. state.Handled, $"{envelope.PersistenceId}/{envelope.SequenceNr}"]);
            Save(state);
            handledCount(state.Handled.Count);
        }, store.Materializer);
    }

    /// <summary>Four writers, one per id, each writing "green i" / "red i" events until told to stop or the system goes away.</summary>
    private static Task WriteInBackground(StoreSystem store, int from, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, 4).Select(sensor => Task.Run(() =>
        {
            try
            {
                var writer = store.System.ActorOf(Writer.Props($"sensor-{sensor}"));
                for (int i = from; !stop.IsCancellationRequested; i++)
                {
                    string e = i % 3 == 0 ? $"red {i}" : $"green {i}";
                    writer.Ask<string>(e, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
                }
            }
            catch (Exception) { /* the system was terminated under it: the kill */ }
        })));

    [Fact]
    public void A_projection_killed_and_resumed_from_its_stored_offset_sees_every_tagged_event_exactly_once()
    {
        int handled = 0;
        using (var first = new StoreSystem(_directory))
        {
            using var stop = new CancellationTokenSource();
            var writing = WriteInBackground(first, 0, stop.Token);
            _ = RunProjection(first, n => Volatile.Write(ref handled, n));
            SpinWait.SpinUntil(() => Volatile.Read(ref handled) >= 15, TimeSpan.FromSeconds(60));
            Assert.True(Volatile.Read(ref handled) >= 15, "the projection did not get going");
            // Killed mid-stream: the writer's system goes away while it writes and the projection reads.
        }
        int handledBeforeKill = Load().Handled.Count;

        // The index is not fsync'd: lose its tail, as power loss might.
        string index = Path.Combine(_directory, "journal", "index", "events.jsonl");
        File.WriteAllLines(index, File.ReadAllLines(index).Take(5));

        using (var second = new StoreSystem(_directory))
        {
            using var stop = new CancellationTokenSource();
            var writing = WriteInBackground(second, 1000, stop.Token);
            var projection = RunProjection(second, n => Volatile.Write(ref handled, n));
            SpinWait.SpinUntil(() => Volatile.Read(ref handled) >= handledBeforeKill + 20, TimeSpan.FromSeconds(60));
            stop.Cancel();
            // Every write has finished before the expected events are read: none may follow them into the projection.
            Assert.True(writing.Wait(TimeSpan.FromSeconds(60)), "the writers did not stop");

            var everyGreen = second.Collect(second.Queries.CurrentEventsByTag("green", NoOffset.Instance))
                .Select(e => e[..e.IndexOf(':')]).ToList();
            SpinWait.SpinUntil(() => Load().Handled.Count >= everyGreen.Count, TimeSpan.FromSeconds(60));
            var state = Load();
            Assert.True(state.Handled.Count >= handledBeforeKill + 20, "the resumed projection did not get going");
            Assert.Equal(everyGreen, state.Handled); // every one, once, in the order stored
            Assert.Equal(state.Handled.Count, state.Handled.Distinct().Count());
            foreach (var id in Enumerable.Range(0, 4).Select(i => $"sensor-{i}"))
            {
                var sequenceNrs = state.Handled.Where(h => h.StartsWith(id + "/")).Select(h => long.Parse(h[(id.Length + 1)..])).ToList();
                Assert.Equal(sequenceNrs.Order(), sequenceNrs);
            }
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
