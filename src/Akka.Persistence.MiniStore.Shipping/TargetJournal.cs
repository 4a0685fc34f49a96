using Akka.Actor;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// The target journal, spoken to through Akka.Persistence's plugin protocol as a persistent actor speaks to it:
/// WriteMessages, and a replay of nothing (ReplayMessages with max 0) for the highest sequence number. Every journal
/// plugin answers these, so any journal can be a target.
/// </summary>
internal sealed class TargetJournal(IActorRef journal, ActorSystem system, TimeSpan timeout, string description)
{
    private const int ActorInstanceId = 1;

    public string Description { get; } = description;

    /// <summary>The highest sequence number the target stores for the id (0 if none).</summary>
    public async Task<long> HighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken)
    {
        using var replies = new ReplyChannel(system);
        journal.Tell(new ReplayMessages(1, 0, 0, persistenceId, replies.Ref));
        string what = $"the highest sequence number of persistence id '{persistenceId}' from {Description}";
        while (true)
        {
            switch (await replies.ReceiveAsync(timeout, what, cancellationToken).ConfigureAwait(false))
            {
                case RecoverySuccess success: return success.HighestSequenceNr;
                case ReplayMessagesFailure failure: throw new TargetUnavailableException($"reading {what} failed: {failure.Cause.Message}", failure.Cause);
            }
        }
    }

    /// <summary>
    /// Sends one WriteMessages with <paramref name="writes"/> (<paramref name="events"/> events in all) and waits for
    /// every answer. A failed call throws <see cref="TargetUnavailableException"/>; events the target refused outright
    /// (WriteMessageRejected: it cannot serialize them, say) are returned.
    /// </summary>
    public async Task<IReadOnlyList<WriteMessageRejected>> WriteAsync(IReadOnlyList<AtomicWrite> writes, int events, CancellationToken cancellationToken)
    {
        using var replies = new ReplyChannel(system);
        journal.Tell(new WriteMessages(writes, replies.Ref, ActorInstanceId));
        string what = $"the write of {events} events to {Description}";
        var rejected = new List<WriteMessageRejected>();
        Exception? failure = null;
        // First WriteMessagesSuccessful or WriteMessagesFailed, then one answer per event.
        for (int answered = -1; answered < events; answered++)
        {
            switch (await replies.ReceiveAsync(timeout, what, cancellationToken).ConfigureAwait(false))
            {
                case WriteMessagesSuccessful or WriteMessageSuccess: break;
                case WriteMessagesFailed failed: failure ??= failed.Cause; break;
                case WriteMessageFailure failed: failure ??= failed.Cause; break;
                case WriteMessageRejected refused: rejected.Add(refused); break;
                default: answered--; break; // not an answer to the write (a plugin may send others)
            }
        }
        if (failure is not null)
            throw new TargetUnavailableException($"{what} failed: {failure.Message}", failure);
        return rejected;
    }
}
