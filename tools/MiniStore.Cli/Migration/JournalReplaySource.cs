using System.Runtime.CompilerServices;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace MiniStore.Cli.Migration;

/// <summary>
/// Import's source: another journal, replayed through its plugin in chunks of <paramref name="chunkSize"/> events.
/// A replay gives no tags back, so when the other side's read journal is given (<paramref name="tags"/>), each chunk's
/// tags are read from its events-by-persistence-id query and the events come back as <see cref="Tagged"/>, which the
/// MiniStore journal unwraps into the record's tags.
/// </summary>
internal sealed class JournalReplaySource(JournalPlugin journal, int chunkSize, ReadJournalTags? tags = null) : IEventSource
{
    public async IAsyncEnumerable<IPersistentRepresentation> EventsAfterAsync(string persistenceId, long afterSequenceNr, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long from = afterSequenceNr + 1;
        while (true)
        {
            var chunk = await journal.ReplayAsync(persistenceId, from, long.MaxValue, chunkSize, cancellationToken).ConfigureAwait(false);
            if (chunk.Count == 0)
                yield break;
            var tagsBySequenceNr = tags is null ? null : await tags.OfAsync(chunk, cancellationToken).ConfigureAwait(false);
            foreach (var e in chunk)
            {
                if (tagsBySequenceNr is not null && tagsBySequenceNr[e.SequenceNr] is { Length: > 0 } eventTags)
                    yield return e.WithPayload(new Tagged(e.Payload, eventTags));
                else
                    yield return e;
            }
            from = chunk[^1].SequenceNr + 1;
        }
    }
}
