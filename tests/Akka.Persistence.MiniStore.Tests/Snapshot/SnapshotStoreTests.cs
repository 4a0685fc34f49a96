using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Snapshot;

/// <summary>
/// The behaviours checked by Akka.Persistence.TCK's <c>SnapshotStoreSpec</c>, against the MiniStore snapshot store:
/// five snapshots "s-1".."s-5" at sequence numbers 11..15 are saved first.
/// </summary>
public class SnapshotStoreTests : SnapshotStoreTestBase
{
    private const string Pid = "snap-pid";
    private readonly List<SnapshotMetadata> _metadata;

    public SnapshotStoreTests(ITestOutputHelper output) : base(output)
    {
        _metadata = Enumerable.Range(1, 5).Select(i => Save(Pid, 10 + i, $"s-{i}")).ToList();
    }

    private void AssertSnapshot(LoadSnapshotResult result, int index)
    {
        Assert.NotNull(result.Snapshot);
        Assert.Equal(_metadata[index], result.Snapshot.Metadata);
        Assert.Equal($"s-{index + 1}", result.Snapshot.Snapshot);
    }

    [Fact]
    public void Saved_snapshots_have_distinct_increasing_timestamps_and_one_file_each()
    {
        for (int i = 1; i < _metadata.Count; i++)
            Assert.True(_metadata[i].Timestamp > _metadata[i - 1].Timestamp);
        Assert.Equal(_metadata.Select(ExpectedPath), SnapshotFiles(Pid));
    }

    [Fact]
    public void Does_not_load_a_snapshot_of_an_unknown_persistence_id()
    {
        var result = Load("no-such-pid", SnapshotSelectionCriteria.Latest);
        Assert.Null(result.Snapshot);
        Assert.False(Directory.Exists(PidDirectory("no-such-pid")));
    }

    [Fact]
    public void Does_not_load_a_snapshot_given_a_timestamp_bound_before_every_snapshot()
    {
        Assert.Null(Load(Pid, new SnapshotSelectionCriteria(long.MaxValue, new DateTime(100000))).Snapshot);
        // One tick before the first snapshot is still too early.
        Assert.Null(Load(Pid, new SnapshotSelectionCriteria(long.MaxValue, _metadata[0].Timestamp.AddTicks(-1))).Snapshot);
    }

    [Fact]
    public void Does_not_load_a_snapshot_given_a_sequence_number_bound_before_every_snapshot()
    {
        Assert.Null(Load(Pid, new SnapshotSelectionCriteria(7)).Snapshot);
        Assert.Null(Load(Pid, new SnapshotSelectionCriteria(10)).Snapshot);
        Assert.Null(Load(Pid, SnapshotSelectionCriteria.Latest, toSequenceNr: 7).Snapshot);
        Assert.Null(Load(Pid, SnapshotSelectionCriteria.Latest, toSequenceNr: 10).Snapshot);
    }

    [Fact]
    public void Does_not_load_a_snapshot_given_criteria_none()
    {
        Assert.Null(Load(Pid, SnapshotSelectionCriteria.None).Snapshot);
    }

    [Fact]
    public void Does_not_load_a_snapshot_given_a_lower_bound_after_every_snapshot()
    {
        Assert.Null(Load(Pid, new SnapshotSelectionCriteria(long.MaxValue, DateTime.MaxValue, minSequenceNr: 16)).Snapshot);
        Assert.Null(Load(Pid, new SnapshotSelectionCriteria(long.MaxValue, DateTime.MaxValue, 0, _metadata[4].Timestamp.AddTicks(1))).Snapshot);
    }

    [Fact]
    public void Loads_the_most_recent_snapshot()
    {
        AssertSnapshot(LoadLatest(Pid), 4);
    }

    [Fact]
    public void Loads_the_most_recent_snapshot_matching_an_upper_sequence_number_bound()
    {
        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(13)), 2);
        AssertSnapshot(Load(Pid, SnapshotSelectionCriteria.Latest, toSequenceNr: 13), 2);
        // Between two snapshots: the lower one.
        AssertSnapshot(Load(Pid, SnapshotSelectionCriteria.Latest, toSequenceNr: 12), 1);
    }

    [Fact]
    public void Loads_the_most_recent_snapshot_matching_an_upper_sequence_number_and_timestamp_bound()
    {
        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(13, _metadata[2].Timestamp)), 2);
        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(long.MaxValue, _metadata[2].Timestamp), toSequenceNr: 13), 2);
        // The timestamp bound alone picks the snapshot taken at or before it.
        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(long.MaxValue, _metadata[3].Timestamp.AddTicks(-1))), 2);
        // The sequence number bound is tighter than the timestamp bound.
        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(12, _metadata[4].Timestamp)), 1);
    }

    [Fact]
    public void Loads_the_snapshot_matching_lower_bounds()
    {
        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(13, DateTime.MaxValue, minSequenceNr: 13)), 2);
        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(long.MaxValue, _metadata[3].Timestamp, 0, _metadata[3].Timestamp)), 3);
    }

    [Fact]
    public void Deletes_a_single_snapshot_identified_by_sequence_number_in_metadata()
    {
        var md = new SnapshotMetadata(Pid, _metadata[2].SequenceNr, DateTime.MinValue); // no timestamp: any snapshot at that sequence number
        var command = new DeleteSnapshot(md);
        var published = CreateTestProbe();
        Sys.EventStream.Subscribe(published.Ref, typeof(DeleteSnapshot));

        SnapshotStore.Tell(command, SenderProbe.Ref);
        published.ExpectMsg(command);
        var success = SenderProbe.ExpectMsg<DeleteSnapshotSuccess>();
        Assert.Equal(md, success.Metadata);

        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(md.SequenceNr)), 1);
        Assert.False(File.Exists(ExpectedPath(_metadata[2])));
        Assert.Equal(4, SnapshotFiles(Pid).Length);
        AssertSnapshot(LoadLatest(Pid), 4); // the others are untouched
    }

    [Fact]
    public void Deletes_a_single_snapshot_identified_by_sequence_number_and_timestamp()
    {
        SnapshotStore.Tell(new DeleteSnapshot(_metadata[4]), SenderProbe.Ref);
        Assert.Equal(_metadata[4], SenderProbe.ExpectMsg<DeleteSnapshotSuccess>().Metadata);
        AssertSnapshot(LoadLatest(Pid), 3);
    }

    [Fact]
    public void Deleting_a_snapshot_that_does_not_exist_succeeds_and_changes_nothing()
    {
        SnapshotStore.Tell(new DeleteSnapshot(new SnapshotMetadata(Pid, 99, DateTime.MinValue)), SenderProbe.Ref);
        SenderProbe.ExpectMsg<DeleteSnapshotSuccess>();
        SnapshotStore.Tell(new DeleteSnapshot(new SnapshotMetadata("no-such-pid", 1, DateTime.MinValue)), SenderProbe.Ref);
        SenderProbe.ExpectMsg<DeleteSnapshotSuccess>();
        Assert.Equal(5, SnapshotFiles(Pid).Length);
    }

    [Fact]
    public void Deleting_by_metadata_with_a_non_matching_timestamp_keeps_the_snapshot()
    {
        var other = new SnapshotMetadata(Pid, _metadata[4].SequenceNr, _metadata[4].Timestamp.AddSeconds(1));
        SnapshotStore.Tell(new DeleteSnapshot(other), SenderProbe.Ref);
        SenderProbe.ExpectMsg<DeleteSnapshotSuccess>();
        AssertSnapshot(LoadLatest(Pid), 4);
    }

    [Fact]
    public void Deletes_all_snapshots_matching_upper_sequence_number_and_timestamp_bounds()
    {
        var md = _metadata[2];
        var criteria = new SnapshotSelectionCriteria(md.SequenceNr, md.Timestamp);
        var command = new DeleteSnapshots(Pid, criteria);
        var published = CreateTestProbe();
        Sys.EventStream.Subscribe(published.Ref, typeof(DeleteSnapshots));

        SnapshotStore.Tell(command, SenderProbe.Ref);
        published.ExpectMsg(command);
        Assert.Equal(criteria, SenderProbe.ExpectMsg<DeleteSnapshotsSuccess>().Criteria);

        Assert.Null(Load(Pid, criteria).Snapshot);
        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(_metadata[3].SequenceNr, _metadata[3].Timestamp)), 3);
        Assert.Equal(_metadata.Skip(3).Select(ExpectedPath), SnapshotFiles(Pid));
    }

    [Fact]
    public void Does_not_delete_snapshots_with_non_matching_upper_timestamp_bounds()
    {
        var md = _metadata[3];
        var criteria = new SnapshotSelectionCriteria(md.SequenceNr, md.Timestamp.AddTicks(-1));
        SnapshotStore.Tell(new DeleteSnapshots(Pid, criteria), SenderProbe.Ref);
        Assert.Equal(criteria, SenderProbe.ExpectMsg<DeleteSnapshotsSuccess>().Criteria);

        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(md.SequenceNr, md.Timestamp)), 3);
        // The three older ones matched and are gone.
        Assert.Equal(_metadata.Skip(3).Select(ExpectedPath), SnapshotFiles(Pid));
    }

    [Fact]
    public void Deletes_snapshots_between_lower_and_upper_bounds_only()
    {
        var criteria = new SnapshotSelectionCriteria(14, DateTime.MaxValue, minSequenceNr: 12);
        SnapshotStore.Tell(new DeleteSnapshots(Pid, criteria), SenderProbe.Ref);
        SenderProbe.ExpectMsg<DeleteSnapshotsSuccess>();
        Assert.Equal(new[] { _metadata[0], _metadata[4] }.Select(ExpectedPath), SnapshotFiles(Pid));
        AssertSnapshot(Load(Pid, new SnapshotSelectionCriteria(14)), 0);
    }

    [Fact]
    public void Deleting_all_snapshots_leaves_nothing_to_load()
    {
        SnapshotStore.Tell(new DeleteSnapshots(Pid, SnapshotSelectionCriteria.Latest), SenderProbe.Ref);
        SenderProbe.ExpectMsg<DeleteSnapshotsSuccess>();
        Assert.Empty(SnapshotFiles(Pid));
        Assert.Null(LoadLatest(Pid).Snapshot);
    }

    [Fact]
    public void Saves_and_overwrites_a_snapshot_with_the_same_sequence_number_and_metadata()
    {
        var md = _metadata[4];
        var md2 = Save(md, "s-5-modified");
        Assert.Equal(md, md2); // an explicit timestamp is kept

        var result = Load(Pid, new SnapshotSelectionCriteria(md.SequenceNr));
        Assert.Equal("s-5-modified", result.Snapshot.Snapshot);
        Assert.Equal(md.SequenceNr, result.Snapshot.Metadata.SequenceNr);
        Assert.Single(SnapshotFiles(Pid), f => Path.GetFileName(f).StartsWith($"{md.SequenceNr:D19}-"));
        Assert.Equal(5, SnapshotFiles(Pid).Length);
    }

    [Fact]
    public void Saving_again_at_the_same_sequence_number_replaces_the_earlier_snapshot()
    {
        var md = _metadata[4];
        var newer = Save(Pid, md.SequenceNr, "s-5-newer"); // no timestamp: the store stamps it now
        Assert.True(newer.Timestamp > md.Timestamp);

        var result = LoadLatest(Pid);
        Assert.Equal(newer, result.Snapshot.Metadata);
        Assert.Equal("s-5-newer", result.Snapshot.Snapshot);
        // Only one file is left for that sequence number: the newer one.
        var atSeq = SnapshotFiles(Pid).Where(f => Path.GetFileName(f).StartsWith($"{md.SequenceNr:D19}-")).ToArray();
        Assert.Equal([ExpectedPath(newer)], atSeq);
        Assert.Equal(5, SnapshotFiles(Pid).Length);
    }

    [Fact]
    public void Saves_a_bigger_snapshot()
    {
        var bytes = new byte[10000];
        new Random(42).NextBytes(bytes);
        Save(Pid, 100, bytes);
        var loaded = Assert.IsType<byte[]>(LoadLatest(Pid).Snapshot.Snapshot);
        Assert.Equal(bytes, loaded);
    }

    [Fact]
    public void Snapshots_of_other_persistence_ids_are_independent()
    {
        var other = Save("other-pid", 3, "o-1");
        Assert.Equal(other, LoadLatest("other-pid").Snapshot.Metadata);
        SnapshotStore.Tell(new DeleteSnapshots("other-pid", SnapshotSelectionCriteria.Latest), SenderProbe.Ref);
        SenderProbe.ExpectMsg<DeleteSnapshotsSuccess>();
        Assert.Null(LoadLatest("other-pid").Snapshot);
        AssertSnapshot(LoadLatest(Pid), 4);
    }
}
