using System.Runtime.ExceptionServices;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>
/// What one read of a query gave: <see cref="Items"/> (at most max-buffer-size), whether the read reached the end of
/// what is stored (<see cref="AtEnd"/>: a live query then waits for more), whether the query has nothing more to give,
/// ever (<see cref="Finished"/>: a current query at its end, or an upper bound reached), and the failure that stopped
/// it after <see cref="Items"/> (the events before an unreadable one are still delivered).
/// </summary>
internal readonly record struct Chunk<T>(IReadOnlyList<T> Items, bool AtEnd, bool Finished, Exception? Failure = null);

/// <summary>
/// Turns a reader of chunks into a back-pressured source: a chunk is read only when the one before it is being
/// consumed, so at most two chunks are in memory. The source completes after the chunk the reader says is the last
/// (a current query knows its end: it does not need a short or empty read to find it), and fails after the items of
/// a chunk that carries a failure. A live query at the end of what is stored waits for the journal's signal or the
/// refresh interval, whichever comes first, and reads on.
/// </summary>
internal static class ChunkedSource
{
    public static Source<T, NotUsed> Create<T>(Func<Func<Task<Chunk<T>>>> startReader, StoredEvents events, TimeSpan refreshInterval) =>
        Source.Lazily(() =>
            {
                var read = startReader(); // per materialization: each run of the source has its own position
                return Source.UnfoldAsync<bool, Chunk<T>>(false, async finished =>
                {
                    if (finished)
                        return Option<(bool, Chunk<T>)>.None;
                    while (true)
                    {
                        var changed = events.Signal.Changed;
                        var chunk = await ReadOrFailure(read).ConfigureAwait(false);
                        bool last = chunk.Finished || chunk.Failure is not null;
                        if (chunk.Items.Count > 0 || chunk.Failure is not null)
                            return (last, chunk);
                        if (last)
                            return Option<(bool, Chunk<T>)>.None; // an empty last chunk is not passed on: it would wait for demand to be taken
                        if (chunk.AtEnd)
                            await Task.WhenAny(changed, Task.Delay(refreshInterval)).ConfigureAwait(false);
                    }
                });
            })
            // One chunk read ahead: the source then learns it is finished while the last chunk is still being
            // consumed, so it completes right after the last element, without waiting for more demand. A failure
            // travels as a chunk too, so that it comes after the elements read before it, not instead of them.
            .Buffer(1, OverflowStrategy.Backpressure)
            .SelectMany(chunk => chunk.Failure is null ? chunk.Items : ThenFail(chunk.Items, chunk.Failure))
            .MapMaterializedValue(_ => NotUsed.Instance);

    private static async Task<Chunk<T>> ReadOrFailure<T>(Func<Task<Chunk<T>>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return new Chunk<T>([], AtEnd: true, Finished: true, e);
        }
    }

    private static IEnumerable<T> ThenFail<T>(IReadOnlyList<T> items, Exception failure)
    {
        foreach (var item in items)
            yield return item;
        ExceptionDispatchInfo.Throw(failure);
    }
}
