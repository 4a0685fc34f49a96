using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence.MiniStore.Shipping;
using Akka.Persistence;

namespace MiniStore.Cli.Migration;

/// <summary>
/// A journal plugin spoken to as a persistent actor speaks to it: WriteMessages, ReplayMessages, and the highest
/// sequence number a replay reports. Every plugin implements these messages, so export and import work with any journal.
/// </summary>
internal sealed class JournalPlugin(IActorRef journal, ActorSystem system, TimeSpan timeout)
{
    private const int ActorInstanceId = 1;

    /// <summary>The highest sequence number stored for the id (0 if none): a replay of nothing, answered by RecoverySuccess.</summary>
    public async Task<long> HighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken)
    {
        using var replies = new ReplyChannel(system);
        journal.Tell(new ReplayMessages(1, 0, 0, persistenceId, replies.Ref));
        while (true)
        {
            switch (await replies.ReceiveAsync(timeout, $"the highest sequence number of '{persistenceId}'", cancellationToken).ConfigureAwait(false))
            {
                case RecoverySuccess success: return success.HighestSequenceNr;
                case ReplayMessagesFailure failure: throw new MigrationException($"reading the highest sequence number of '{persistenceId}' failed: {failure.Cause.Message}", failure.Cause);
            }
        }
    }

    /// <summary>Events <paramref name="fromSequenceNr"/>..<paramref name="toSequenceNr"/>, at most <paramref name="max"/>, as the journal replays them.</summary>
    public async Task<IReadOnlyList<IPersistentRepresentation>> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken)
    {
        using var replies = new ReplyChannel(system);
        journal.Tell(new ReplayMessages(fromSequenceNr, toSequenceNr, max, persistenceId, replies.Ref));
        var events = new List<IPersistentRepresentation>();
        while (true)
        {
            switch (await replies.ReceiveAsync(timeout, $"the events of '{persistenceId}' from {fromSequenceNr}", cancellationToken).ConfigureAwait(false))
            {
                case ReplayedMessage replayed: events.Add(replayed.Persistent); break;
                case RecoverySuccess: return events;
                case ReplayMessagesFailure failure: throw new MigrationException($"replaying '{persistenceId}' from {fromSequenceNr} failed: {failure.Cause.Message}", failure.Cause);
            }
        }
    }

    /// <summary>Stores <paramref name="events"/> (one id, consecutive) as one atomic write; throws if any is not stored.</summary>
    public async Task WriteAsync(IReadOnlyList<IPersistentRepresentation> events, CancellationToken cancellationToken)
    {
        using var replies = new ReplyChannel(system);
        var write = new AtomicWrite(events.ToImmutableList());
        journal.Tell(new WriteMessages(new IPersistentEnvelope[] { write }, replies.Ref, ActorInstanceId));
        string what = $"the write of '{events[0].PersistenceId}' {events[0].SequenceNr}..{events[^1].SequenceNr}";
        // First WriteMessagesSuccessful or WriteMessagesFailed, then one answer per event.
        for (int answered = -1; answered < events.Count; answered++)
        {
            switch (await replies.ReceiveAsync(timeout, what, cancellationToken).ConfigureAwait(false))
            {
                case WriteMessagesSuccessful or WriteMessageSuccess: break;
                case WriteMessagesFailed failed: throw new MigrationException($"{what} failed: {failed.Cause.Message}", failed.Cause);
                case WriteMessageRejected rejected: throw new MigrationException($"{what}: event {rejected.Persistent.SequenceNr} was rejected: {rejected.Cause.Message}", rejected.Cause);
                case WriteMessageFailure failure: throw new MigrationException($"{what}: event {failure.Persistent.SequenceNr} failed: {failure.Cause.Message}", failure.Cause);
            }
        }
    }
}
