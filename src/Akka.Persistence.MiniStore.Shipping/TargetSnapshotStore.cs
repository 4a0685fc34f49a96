using Akka.Actor;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>The target snapshot store, spoken to as a persistent actor speaks to it: load the latest snapshot, save one.</summary>
internal sealed class TargetSnapshotStore(IActorRef store, TimeSpan timeout, string description)
{
    public async Task<SnapshotMetadata?> LatestAsync(string persistenceId, CancellationToken cancellationToken)
    {
        object reply;
        try
        {
            reply = await store.Ask<object>(new LoadSnapshot(persistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue), timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new TargetUnavailableException($"no answer within {timeout.TotalSeconds:0.#} s while loading the latest snapshot of persistence id '{persistenceId}' from {description}", e);
        }
        return reply switch
        {
            LoadSnapshotResult result => result.Snapshot?.Metadata,
            LoadSnapshotFailed failed => throw new TargetUnavailableException($"loading the latest snapshot of persistence id '{persistenceId}' from {description} failed: {failed.Cause.Message}", failed.Cause),
            _ => throw new TargetUnavailableException($"unexpected answer {reply.GetType().Name} to loading the latest snapshot of persistence id '{persistenceId}' from {description}"),
        };
    }

    public async Task SaveAsync(SelectedSnapshot snapshot, CancellationToken cancellationToken)
    {
        string what = $"snapshot {snapshot.Metadata.SequenceNr} of persistence id '{snapshot.Metadata.PersistenceId}' to {description}";
        object reply;
        try
        {
            reply = await store.Ask<object>(new SaveSnapshot(snapshot.Metadata, snapshot.Snapshot), timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new TargetUnavailableException($"no answer within {timeout.TotalSeconds:0.#} s while saving {what}", e);
        }
        if (reply is SaveSnapshotFailure failure)
            throw new TargetUnavailableException($"saving {what} failed: {failure.Cause.Message}", failure.Cause);
    }
}
