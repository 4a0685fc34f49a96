using System.Runtime.CompilerServices;
using Akka.Persistence;

namespace MiniStore.Cli.Migration;

/// <summary>Import's source: another journal, replayed through its plugin in chunks of <paramref name="chunkSize"/> events.</summary>
internal sealed class JournalReplaySource(JournalPlugin journal, int chunkSize) : IEventSource
{
    public async IAsyncEnumerable<IPersistentRepresentation> EventsAfterAsync(string persistenceId, long afterSequenceNr, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long from = afterSequenceNr + 1;
        while (true)
        {
            var chunk = await journal.ReplayAsync(persistenceId, from, long.MaxValue, chunkSize, cancellationToken).ConfigureAwait(false);
            if (chunk.Count == 0)
                yield break;
            foreach (var e in chunk)
                yield return e;
            from = chunk[^1].SequenceNr + 1;
        }
    }
}
