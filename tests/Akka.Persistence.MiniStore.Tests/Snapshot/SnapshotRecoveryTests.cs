using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Snapshot;

/// <summary>
/// End to end: a persistent actor snapshots, its system is terminated, and a new system on the same directory
/// recovers it from the snapshot plus the events persisted after it.
/// </summary>
public class SnapshotRecoveryTests : SnapshotStoreTestBase
{
    private const string Pid = "shopping-list-1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public SnapshotRecoveryTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public async Task A_new_system_on_the_same_directory_recovers_from_the_snapshot_and_the_later_events()
    {
        var list = Sys.ActorOf(Props.Create(() => new ShoppingList(Pid)));
        foreach (var item in new[] { "milk", "eggs", "bread" })
            Assert.Equal(item, await list.Ask<string>(new AddItem(item), Timeout));
        var saved = await list.Ask<SaveSnapshotSuccess>(TakeSnapshot.Instance, Timeout);
        Assert.Equal(3, saved.Metadata.SequenceNr);
        foreach (var item in new[] { "butter", "jam" })
            Assert.Equal(item, await list.Ask<string>(new AddItem(item), Timeout));
        var before = await list.Ask<ListState>(GetState.Instance, Timeout);
        Assert.Equal(["milk", "eggs", "bread", "butter", "jam"], before.Items);
        Assert.Equal(5, before.LastSequenceNr);
        Assert.Null(before.OfferedSnapshotSeq); // a fresh actor has nothing to recover

        await Sys.Terminate();
        Assert.Single(SnapshotFiles(Pid));

        var second = ActorSystem.Create("recovered", MiniStoreSpec.Configuration(StoreDirectory));
        try
        {
            var recovered = second.ActorOf(Props.Create(() => new ShoppingList(Pid)));
            var after = await recovered.Ask<ListState>(GetState.Instance, Timeout);

            Assert.Equal(3, after.OfferedSnapshotSeq);
            Assert.Equal(saved.Metadata, after.OfferedSnapshotMetadata);
            Assert.Equal(["milk", "eggs", "bread"], after.ItemsFromSnapshot);
            Assert.Equal(["butter", "jam"], after.ReplayedEvents); // only the events after the snapshot
            Assert.Equal(before.Items, after.Items);
            Assert.Equal(5, after.LastSequenceNr);

            // And it carries on where it left off.
            Assert.Equal("tea", await recovered.Ask<string>(new AddItem("tea"), Timeout));
            var later = await recovered.Ask<ListState>(GetState.Instance, Timeout);
            Assert.Equal(6, later.LastSequenceNr);
            Assert.Equal([.. before.Items, "tea"], later.Items);
        }
        finally
        {
            await second.Terminate();
        }
    }

    [Fact]
    public async Task A_damaged_snapshot_makes_recovery_replay_all_events_instead()
    {
        var list = Sys.ActorOf(Props.Create(() => new ShoppingList(Pid)));
        foreach (var item in new[] { "a", "b" })
            await list.Ask<string>(new AddItem(item), Timeout);
        var saved = await list.Ask<SaveSnapshotSuccess>(TakeSnapshot.Instance, Timeout);
        await list.Ask<string>(new AddItem("c"), Timeout);
        await Sys.Terminate();

        var path = ExpectedPath(saved.Metadata);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(path, bytes);

        var second = ActorSystem.Create("recovered", MiniStoreSpec.Configuration(StoreDirectory));
        try
        {
            var recovered = second.ActorOf(Props.Create(() => new ShoppingList(Pid)));
            var after = await recovered.Ask<ListState>(GetState.Instance, Timeout);
            Assert.Null(after.OfferedSnapshotSeq);
            Assert.Equal(["a", "b", "c"], after.ReplayedEvents);
            Assert.Equal(["a", "b", "c"], after.Items);
            Assert.Equal(3, after.LastSequenceNr);
        }
        finally
        {
            await second.Terminate();
        }
    }

    [Fact]
    public async Task Recovery_from_a_snapshot_near_the_end_does_not_read_the_log_before_it()
    {
        var list = Sys.ActorOf(Props.Create(() => new ShoppingList(Pid)));
        for (int i = 1; i <= 200; i++)
            await list.Ask<string>(new AddItem($"item {i}"), Timeout);
        Assert.Equal(200, (await list.Ask<SaveSnapshotSuccess>(TakeSnapshot.Instance, Timeout)).Metadata.SequenceNr);
        foreach (var item in new[] { "butter", "jam" })
            await list.Ask<string>(new AddItem(item), Timeout);
        await Sys.Terminate();

        // The first 30 lines of the event log become text that is no log line: a recovery that read them would fail.
        string log = EventLogPath(Pid);
        var lines = File.ReadAllLines(log);
        for (int i = 0; i < 30; i++)
            lines[i] = new string('#', lines[i].Length);
        File.WriteAllText(log, string.Join("\n", lines) + "\n");

        var second = ActorSystem.Create("recovered", MiniStoreSpec.Configuration(StoreDirectory));
        try
        {
            var recovered = second.ActorOf(Props.Create(() => new ShoppingList(Pid)));
            var after = await recovered.Ask<ListState>(GetState.Instance, Timeout);
            Assert.Equal(200, after.OfferedSnapshotSeq);
            Assert.Equal(["butter", "jam"], after.ReplayedEvents);
            Assert.Equal(202, after.LastSequenceNr);
            Assert.Equal("tea", await recovered.Ask<string>(new AddItem("tea"), Timeout));
            Assert.Equal(203, (await recovered.Ask<ListState>(GetState.Instance, Timeout)).LastSequenceNr);
        }
        finally
        {
            await second.Terminate();
        }
    }

    public sealed record AddItem(string Item);
    public sealed record ItemAdded(string Item);
    public sealed record ShoppingListSnapshot(string[] Items);
    public sealed class TakeSnapshot { public static readonly TakeSnapshot Instance = new(); }
    public sealed class GetState { public static readonly GetState Instance = new(); }

    public sealed record ListState(
        string[] Items, long LastSequenceNr, long? OfferedSnapshotSeq, SnapshotMetadata? OfferedSnapshotMetadata,
        string[] ItemsFromSnapshot, string[] ReplayedEvents);

    private sealed class ShoppingList : ReceivePersistentActor
    {
        private readonly List<string> _items = [];
        private readonly List<string> _replayed = [];
        private string[] _fromSnapshot = [];
        private SnapshotMetadata? _offered;
        private IActorRef _snapshotRequester = ActorRefs.Nobody;

        public ShoppingList(string persistenceId)
        {
            PersistenceId = persistenceId;

            Recover<SnapshotOffer>(offer =>
            {
                _offered = offer.Metadata;
                _fromSnapshot = ((ShoppingListSnapshot)offer.Snapshot).Items;
                _items.AddRange(_fromSnapshot);
            });
            Recover<ItemAdded>(e =>
            {
                _replayed.Add(e.Item);
                _items.Add(e.Item);
            });

            Command<AddItem>(cmd => Persist(new ItemAdded(cmd.Item), e =>
            {
                _items.Add(e.Item);
                Sender.Tell(e.Item);
            }));
            Command<TakeSnapshot>(_ =>
            {
                _snapshotRequester = Sender;
                SaveSnapshot(new ShoppingListSnapshot(_items.ToArray()));
            });
            Command<SaveSnapshotSuccess>(s => _snapshotRequester.Tell(s));
            Command<SaveSnapshotFailure>(f => _snapshotRequester.Tell(new Status.Failure(f.Cause)));
            Command<GetState>(_ => Sender.Tell(new ListState(
                _items.ToArray(), LastSequenceNr, _offered?.SequenceNr, _offered, _fromSnapshot, _replayed.ToArray())));
        }

        public override string PersistenceId { get; }
    }
}
