using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>
/// What one read of a query gave: <see cref="Items"/> (at most max-buffer-size), whether it reached the end of what
/// is stored (<see cref="AtEnd"/>), and whether the query has nothing more to give, ever (<see cref="Finished"/>).
/// </summary>
internal readonly record struct Chunk<T>(IReadOnlyList<T> Items, bool AtEnd, bool Finished = false);

/// <summary>
/// Turns a reader of chunks into a back-pressured source: a chunk is read only when the one before it is being
/// consumed, so at most two chunks are in memory. A current
/// query completes at the end of what was stored when it started; a live one then waits for the journal's signal or
/// the refresh interval, whichever comes first, and reads on.
/// </summary>
internal static class ChunkedSource
{
    public static Source<T, NotUsed> Create<T>(Func<Func<Task<Chunk<T>>>> startReader, StoredEvents events, TimeSpan refreshInterval, bool live) =>
        Source.Lazily(() =>
            {
                var read = startReader(); // per materialization: each run of the source has its own position
                return Source.UnfoldAsync<bool, IReadOnlyList<T>>(false, async finished =>
                {
                    if (finished)
                        return Option<(bool, IReadOnlyList<T>)>.None;
                    while (true)
                    {
                        var changed = events.Signal.Changed;
                        var chunk = await read().ConfigureAwait(false);
                        bool last = chunk.Finished || (chunk.AtEnd && !live);
                        if (chunk.Items.Count > 0 || last)
                            return (last, chunk.Items);
                        if (chunk.AtEnd)
                            await Task.WhenAny(changed, Task.Delay(refreshInterval)).ConfigureAwait(false);
                    }
                });
            })
            // One chunk read ahead: the source then learns it is finished while the last chunk is still being
            // consumed, so it completes right after the last element, without waiting for more demand.
            .Buffer(1, OverflowStrategy.Backpressure)
            .SelectMany(items => items)
            .MapMaterializedValue(_ => NotUsed.Instance);
}
