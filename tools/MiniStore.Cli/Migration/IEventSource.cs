using Akka.Persistence;

namespace MiniStore.Cli.Migration;

/// <summary>Where <see cref="JournalCopy"/> reads a persistence id's live events, in order.</summary>
internal interface IEventSource
{
    IAsyncEnumerable<IPersistentRepresentation> EventsAfterAsync(string persistenceId, long afterSequenceNr, CancellationToken cancellationToken);
}
