using System.Text.Json;
using Akka.Actor;
using Akka.Persistence.MiniStore.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Snapshot;

/// <summary>
/// Saving snapshots: the behaviours of Akka.Persistence.TCK's <c>SnapshotStoreSaveSnapshotSpec</c> (upsert at the
/// same sequence number, rapid saves from a persistent actor), what SaveSnapshotSuccess reports, what is on disk,
/// large snapshots and payloads that cannot be stored.
/// </summary>
public class SnapshotSaveTests : SnapshotStoreTestBase
{
    private const string Pid = "save-pid";

    public SnapshotSaveTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Save_then_load_returns_the_metadata_of_SaveSnapshotSuccess()
    {
        var before = DateTime.UtcNow;
        SnapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 7, DateTime.MinValue), new Counter("c", 7, ["x", "y"])), SenderProbe.Ref);
        var success = SenderProbe.ExpectMsg<SaveSnapshotSuccess>(Slow);
        var after = DateTime.UtcNow;

        Assert.Equal(Pid, success.Metadata.PersistenceId);
        Assert.Equal(7, success.Metadata.SequenceNr);
        Assert.InRange(success.Metadata.Timestamp, before, after); // no timestamp given: stamped at save time

        var result = LoadLatest(Pid);
        Assert.Equal(success.Metadata, result.Snapshot.Metadata);
        Assert.Equal(success.Metadata.Timestamp.Ticks, result.Snapshot.Metadata.Timestamp.Ticks);
        Assert.Equal(DateTimeKind.Utc, result.Snapshot.Metadata.Timestamp.Kind);
        var counter = Assert.IsType<Counter>(result.Snapshot.Snapshot);
        Assert.Equal("c", counter.Name);
        Assert.Equal(7, counter.Value);
        Assert.Equal(["x", "y"], counter.Seen);
    }

    [Fact]
    public void A_snapshot_is_one_checksummed_record_in_a_file_named_by_sequence_number_and_ticks()
    {
        var md = Save(Pid, 42, new Counter("c", 1, []));

        Assert.Equal([ExpectedPath(md)], AllFiles(Pid)); // no temporary file left behind
        Assert.Equal($"{42:D19}-{md.Timestamp.Ticks:D19}.snapshot.json", Path.GetFileName(ExpectedPath(md)));
        var rec = ReadStoredRecord(ExpectedPath(md));
        Assert.Equal(Pid, rec.GetProperty("pid").GetString());
        Assert.Equal(42, rec.GetProperty("seq").GetInt64());
        Assert.Equal(md.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"), rec.GetProperty("ts").GetString());
        // No serializer bound: inline JSON a person (or jq) can read.
        Assert.Equal(typeof(Counter).FullName, rec.GetProperty("payloadType").GetString()!.Split(',')[0]);
        Assert.Equal("c", rec.GetProperty("payload").GetProperty("Name").GetString());
        Assert.Equal(1, rec.GetProperty("payload").GetProperty("Value").GetInt32());
    }

    [Fact]
    public void Multiple_saves_with_the_same_sequence_number_succeed_and_keep_their_timestamps()
    {
        var first = new SnapshotMetadata(Pid, 3, DateTime.UtcNow);
        SnapshotStore.Tell(new SaveSnapshot(first, "first"), SenderProbe.Ref);
        Assert.Equal(first, SenderProbe.ExpectMsg<SaveSnapshotSuccess>(Slow).Metadata);

        var second = new SnapshotMetadata(Pid, 3, first.Timestamp.AddMilliseconds(5));
        SnapshotStore.Tell(new SaveSnapshot(second, 3), SenderProbe.Ref);
        var success = SenderProbe.ExpectMsg<SaveSnapshotSuccess>();
        Assert.Equal(second, success.Metadata);
        Assert.Equal(second.Timestamp, success.Metadata.Timestamp);

        var result = LoadLatest(Pid);
        Assert.Equal(second, result.Snapshot.Metadata);
        Assert.Equal(3, result.Snapshot.Snapshot);
        Assert.Equal([ExpectedPath(second)], SnapshotFiles(Pid));
    }

    [Fact]
    public void Overwriting_with_an_older_timestamp_still_replaces_the_snapshot_at_that_sequence_number()
    {
        var now = DateTime.UtcNow;
        Save(new SnapshotMetadata(Pid, 5, now), "newer clock");
        var md = Save(new SnapshotMetadata(Pid, 5, now.AddSeconds(-10)), "written last");

        var result = LoadLatest(Pid);
        Assert.Equal(md, result.Snapshot.Metadata);
        Assert.Equal("written last", result.Snapshot.Snapshot);
        Assert.Equal([ExpectedPath(md)], SnapshotFiles(Pid));
    }

    [Fact]
    public void A_10_MB_byte_array_snapshot_round_trips()
    {
        var bytes = new byte[10 * 1024 * 1024];
        new Random(7).NextBytes(bytes);
        var md = Save(Pid, 1, bytes);

        var result = LoadLatest(Pid);
        Assert.Equal(md, result.Snapshot.Metadata);
        Assert.True(bytes.AsSpan().SequenceEqual(Assert.IsType<byte[]>(result.Snapshot.Snapshot)));
    }

    [Fact]
    public void A_10_MB_string_snapshot_round_trips()
    {
        var random = new Random(11);
        var text = string.Create(10 * 1024 * 1024, random, (span, r) =>
        {
            const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 \"\\\n\tÄ€";
            for (int i = 0; i < span.Length; i++)
                span[i] = alphabet[r.Next(alphabet.Length)];
        });
        var md = Save(Pid, 1, text);

        var result = LoadLatest(Pid);
        Assert.Equal(md, result.Snapshot.Metadata);
        Assert.Equal(text, Assert.IsType<string>(result.Snapshot.Snapshot));
    }

    [Fact]
    public void A_payload_that_does_not_round_trip_as_JSON_is_rejected_with_SaveSnapshotFailure()
    {
        var older = Save(Pid, 1, new Counter("c", 1, []));
        SnapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 2, DateTime.MinValue), new Untyped("state", 5)), SenderProbe.Ref);
        var failure = SenderProbe.ExpectMsg<SaveSnapshotFailure>(Slow);

        Assert.Equal(Pid, failure.Metadata.PersistenceId);
        Assert.Equal(2, failure.Metadata.SequenceNr);
        var cause = Assert.IsType<PayloadNotStorableException>(failure.Cause);
        Assert.Contains(nameof(Untyped.Value), cause.Message);
        // Nothing written, not even a temporary file; the older snapshot is still the latest.
        Assert.Equal([ExpectedPath(older)], AllFiles(Pid));
        Assert.Equal(older, LoadLatest(Pid).Snapshot.Metadata);
    }

    [Fact]
    public void A_failed_save_at_an_explicit_timestamp_does_not_delete_the_snapshot_already_at_that_sequence_number()
    {
        // After a failed save the store is asked to delete what the failed save might have left: (seq 3, its
        // timestamp). That must not take the good snapshot at seq 3 with a different timestamp with it.
        var good = Save(new SnapshotMetadata(Pid, 3, DateTime.UtcNow.AddSeconds(-1)), new Counter("good", 3, []));
        SnapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 3, DateTime.UtcNow), new Untyped("bad", 1)), SenderProbe.Ref);
        SenderProbe.ExpectMsg<SaveSnapshotFailure>(Slow);

        // The store handles the follow-up delete before the next message's reply; ask twice to be sure it ran.
        LoadLatest(Pid);
        var result = LoadLatest(Pid);
        Assert.NotNull(result.Snapshot);
        Assert.Equal(good, result.Snapshot.Metadata);
        Assert.Equal("good", Assert.IsType<Counter>(result.Snapshot.Snapshot).Name);
    }

    [Fact]
    public void Rapid_saves_at_the_same_sequence_number_leave_exactly_the_last_one()
    {
        for (int round = 0; round < 30; round++)
        {
            string pid = $"rapid-{round}";
            for (int i = 0; i < 4; i++)
                SnapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(pid, 10, DateTime.MinValue), new[] { i }), SenderProbe.Ref);
            var successes = Enumerable.Range(0, 4).Select(_ => SenderProbe.ExpectMsg<SaveSnapshotSuccess>(Slow).Metadata).ToList();

            var files = SnapshotFiles(pid);
            Assert.Single(files);
            Assert.Empty(AllFiles(pid).Where(f => f.EndsWith(".tmp")));
            var result = LoadLatest(pid);
            Assert.Equal(new[] { 3 }, Assert.IsType<int[]>(result.Snapshot.Snapshot));
            Assert.Contains(result.Snapshot.Metadata, successes);
        }
    }

    [Fact]
    public async Task Rapid_snapshots_from_a_persistent_actor_without_events_recover_the_last_one()
    {
        for (int round = 0; round < 10; round++)
        {
            string pid = $"actor-nopersist-{round}";
            var actor = Sys.ActorOf(Props.Create(() => new ValuesActor(pid)));
            actor.Tell(new TakeSnapshots([[0], [1], [2], [3]]), SenderProbe.Ref);
            await SenderProbe.ExpectMsgAsync<SnapshotsSaved>(Slow);
            await StopAsync(actor);

            actor = Sys.ActorOf(Props.Create(() => new ValuesActor(pid)));
            actor.Tell(GetValues.Instance, SenderProbe.Ref);
            Assert.Equal(new[] { 3 }, await SenderProbe.ExpectMsgAsync<int[]>(Slow));
            await StopAsync(actor);
        }
    }

    [Fact]
    public async Task Rapid_snapshots_from_a_persistent_actor_after_events_recover_the_last_one()
    {
        for (int round = 0; round < 10; round++)
        {
            string pid = $"actor-persist-{round}";
            var actor = Sys.ActorOf(Props.Create(() => new ValuesActor(pid)));
            actor.Tell(1, SenderProbe.Ref);
            await SenderProbe.ExpectMsgAsync<Persisted>(Slow);
            actor.Tell(2, SenderProbe.Ref);
            await SenderProbe.ExpectMsgAsync<Persisted>(Slow);
            actor.Tell(new TakeSnapshots([[0], [1], [2], [3]]), SenderProbe.Ref);
            await SenderProbe.ExpectMsgAsync<SnapshotsSaved>(Slow);
            await StopAsync(actor);

            actor = Sys.ActorOf(Props.Create(() => new ValuesActor(pid)));
            actor.Tell(GetValues.Instance, SenderProbe.Ref);
            Assert.Equal(new[] { 3 }, await SenderProbe.ExpectMsgAsync<int[]>(Slow));
            await StopAsync(actor);
            Assert.Single(SnapshotFiles(pid));
        }
    }

    private async Task StopAsync(IActorRef actor)
    {
        await WatchAsync(actor);
        actor.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(actor);
        await UnwatchAsync(actor);
    }

    private sealed record TakeSnapshots(int[][] Values);
    private sealed record SnapshotsSaved;
    private sealed record Persisted;
    private sealed class GetValues { public static readonly GetValues Instance = new(); }

    /// <summary>Keeps a list of ints; its snapshot is the list as an int[].</summary>
    private sealed class ValuesActor : ReceivePersistentActor
    {
        private List<int> _values = [];
        private IActorRef _requester = ActorRefs.Nobody;
        private int _pending;

        public ValuesActor(string persistenceId)
        {
            PersistenceId = persistenceId;
            Recover<SnapshotOffer>(offer => _values = ((int[])offer.Snapshot).ToList());
            Recover<int>(_values.Add);
            Command<int>(i =>
            {
                var sender = Sender;
                Persist(i, e =>
                {
                    _values.Add(e);
                    sender.Tell(new Persisted());
                });
            });
            Command<TakeSnapshots>(msg =>
            {
                _requester = Sender;
                _pending = msg.Values.Length;
                foreach (var values in msg.Values)
                {
                    _values = values.ToList();
                    SaveSnapshot(_values.ToArray());
                }
            });
            Command<SaveSnapshotSuccess>(_ =>
            {
                if (--_pending == 0)
                    _requester.Tell(new SnapshotsSaved());
            });
            Command<GetValues>(_ => Sender.Tell(_values.ToArray()));
        }

        public override string PersistenceId { get; }
    }
}

public sealed record Counter(string Name, int Value, string[] Seen);

/// <summary>An object-typed member comes back from JSON as a JsonElement, so the store must refuse it.</summary>
public sealed class Untyped(string name, object value)
{
    public string Name { get; } = name;
    public object Value { get; } = value;
}
