using Akka.Actor;
using Akka.Persistence;

namespace MiniStore.Cli.Migration;

/// <summary>A snapshot store plugin spoken to as a persistent actor speaks to it: load the latest snapshot, save one.</summary>
internal sealed class SnapshotPlugin(IActorRef store, TimeSpan timeout)
{
    public async Task<SelectedSnapshot?> LatestAsync(string persistenceId, CancellationToken cancellationToken)
    {
        var reply = await store.Ask<object>(new LoadSnapshot(persistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue), timeout, cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            LoadSnapshotResult result => result.Snapshot,
            LoadSnapshotFailed failed => throw new MigrationException($"loading the latest snapshot of '{persistenceId}' failed: {failed.Cause.Message}", failed.Cause),
            _ => throw new MigrationException($"unexpected answer {reply.GetType().Name} to loading the snapshot of '{persistenceId}'"),
        };
    }

    public async Task SaveAsync(SelectedSnapshot snapshot, CancellationToken cancellationToken)
    {
        var reply = await store.Ask<object>(new SaveSnapshot(snapshot.Metadata, snapshot.Snapshot), timeout, cancellationToken).ConfigureAwait(false);
        if (reply is SaveSnapshotFailure failure)
            throw new MigrationException($"saving snapshot {snapshot.Metadata.SequenceNr} of '{snapshot.Metadata.PersistenceId}' failed: {failure.Cause.Message}", failure.Cause);
    }
}
