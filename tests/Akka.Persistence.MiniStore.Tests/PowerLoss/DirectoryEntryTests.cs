using Akka.Actor;
using Akka.Actor.Setup;
using MiniStore;
using MiniStore.PowerLoss;
using Xunit;

namespace Akka.Persistence.MiniStore.Tests.PowerLoss;

/// <summary>
/// A new actor's event log and a new snapshot file are new directory entries (as are the journal and snapshot
/// directories the plugin creates): they survive power loss only once their directory is fsync'd. The plugin runs
/// with a recording sync (tests/MiniStore.PowerLoss); at the moment the first event and the first snapshot are
/// acknowledged, the state a power loss would leave must hold both. A recording that leaves out the directory syncs
/// must lose them, which shows the check would catch a plugin that skipped them.
/// </summary>
public sealed class DirectoryEntryTests : IDisposable
{
    private readonly string _root = MiniStoreSpec.NewDirectory();

    public DirectoryEntryTests() => Directory.CreateDirectory(_root);

    [SkippableFact]
    public async Task A_new_event_log_and_a_new_snapshot_survive_power_loss_from_their_acknowledgement_on()
    {
        Skip.IfNot(RecordingFileSync.IsSupported, "the power-loss recorder needs /proc (Linux)");
        var lost = await LostAtAcknowledgementAsync(Omit.Nothing);
        Assert.True(lost.Count == 0, string.Join("\n", lost));
    }

    [SkippableFact]
    public async Task Without_directory_syncs_the_new_files_would_be_lost()
    {
        Skip.IfNot(RecordingFileSync.IsSupported, "the power-loss recorder needs /proc (Linux)");
        var lost = await LostAtAcknowledgementAsync(Omit.DirectorySyncs);
        Assert.Contains(lost, l => l.Contains(".jsonl", StringComparison.Ordinal));
        Assert.Contains(lost, l => l.Contains(".snapshot.json", StringComparison.Ordinal));
    }

    /// <summary>Persists one event and saves one snapshot of a new actor; returns what a power loss right after each acknowledgement would lose.</summary>
    private async Task<List<string>> LostAtAcknowledgementAsync(Omit omit)
    {
        var recording = new RecordingFileSync(_root, omit: omit);
        var setup = BootstrapSetup.Create().WithConfig(MiniStoreSpec.Configuration(_root, "akka.loglevel = WARNING")).And(new MiniStoreFileSyncSetup(recording));
        var system = ActorSystem.Create("directory-entries", setup);
        try
        {
            var actor = system.ActorOf(Props.Create(() => new SnapshottingActor("new-actor")));
            await actor.Ask<string>("first event", TimeSpan.FromSeconds(10));
            string eventLog = Path.Combine(_root, "journal", PersistenceIdFileName.For("new-actor") + ".jsonl");
            recording.Acknowledge(eventLog, "first event");

            await actor.Ask<string>(SnapshottingActor.Snapshot, TimeSpan.FromSeconds(10));
            string snapshot = Directory.EnumerateFiles(Path.Combine(_root, "snapshots", PersistenceIdFileName.For("new-actor")), "*.snapshot.json").Single();
            recording.Acknowledge(snapshot, "first event");
        }
        finally
        {
            await system.Terminate();
        }

        var model = new PowerLossModel(recording);
        var lost = new List<string>();
        for (int k = 1; k <= model.Steps.Count; k++)
        {
            if (model.Steps[k - 1] is not Acknowledged ack)
                continue;
            var state = model.Synced(k);
            if (!state.Files.TryGetValue(ack.Path, out var content))
                lost.Add($"'{ack.Path}' is gone after a power loss right after it was acknowledged");
            else if (!System.Text.Encoding.UTF8.GetString(content).Contains(ack.Record, StringComparison.Ordinal))
                lost.Add($"'{ack.Path}' lost \"{ack.Record}\" after a power loss right after it was acknowledged");
        }
        return lost;
    }

    /// <summary>Persists each string it is sent and replies once it is stored; saves a snapshot on <see cref="Snapshot"/> and replies once saved.</summary>
    private sealed class SnapshottingActor : ReceivePersistentActor
    {
        public const string Snapshot = "snapshot";
        private readonly List<string> _events = new();
        private IActorRef? _snapshotRequester;

        public SnapshottingActor(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<string>(s => s == Snapshot, _ =>
            {
                _snapshotRequester = Sender;
                SaveSnapshot(_events.ToArray());
            });
            Command<SaveSnapshotSuccess>(success => _snapshotRequester?.Tell($"saved {success.Metadata.SequenceNr}"));
            Command<SaveSnapshotFailure>(failure => _snapshotRequester?.Tell(new Status.Failure(failure.Cause)));
            Command<string>(text => Persist(text, stored =>
            {
                _events.Add(stored);
                Sender.Tell($"stored {LastSequenceNr}");
            }));
        }

        public override string PersistenceId { get; }
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
