using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Snapshot;

/// <summary>
/// MiniStore-specific behaviour of the snapshot files: damaged snapshots are skipped (and reported) in favour of
/// older ones, temporary files of interrupted saves are ignored, files are private to the owner.
/// </summary>
public class SnapshotFileTests : SnapshotStoreTestBase
{
    private const string Pid = "file-pid";

    public SnapshotFileTests(ITestOutputHelper output) : base(output) { }

    private static void FlipByte(string path, int offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    [Theory]
    [InlineData(50)]  // inside the payload
    [InlineData(0)]   // the header
    [InlineData(10)]  // the checksum digits / record start
    [InlineData(100)] // the final '\n'
    public void A_damaged_newest_snapshot_makes_load_fall_back_to_the_previous_one_and_is_logged(int percent)
    {
        var older = Save(Pid, 1, new Counter("older", 1, ["a"]));
        var newest = Save(Pid, 2, new Counter("newest", 2, ["a", "b"]));
        string path = ExpectedPath(newest);
        int length = (int)new FileInfo(path).Length;
        FlipByte(path, Math.Min(length - 1, length * percent / 100));

        EventFilter.Error(contains: Path.GetFileName(path)).ExpectOne(() =>
        {
            var result = LoadLatest(Pid);
            Assert.NotNull(result.Snapshot);
            Assert.Equal(older, result.Snapshot.Metadata);
            Assert.Equal("older", Assert.IsType<Counter>(result.Snapshot.Snapshot).Name);
        });
        // The damaged file is kept for inspection, not deleted.
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_truncated_newest_snapshot_makes_load_fall_back_to_the_previous_one()
    {
        var older = Save(Pid, 1, "older");
        var newest = Save(Pid, 2, "newest");
        string path = ExpectedPath(newest);
        using (var stream = new FileStream(path, FileMode.Open))
            stream.SetLength(stream.Length / 2);

        EventFilter.Error(contains: "cannot be read").ExpectOne(() =>
            Assert.Equal(older, LoadLatest(Pid).Snapshot.Metadata));
    }

    [Fact]
    public void An_empty_snapshot_file_is_skipped()
    {
        var older = Save(Pid, 1, "older");
        var newest = Save(Pid, 2, "newest");
        File.WriteAllBytes(ExpectedPath(newest), []);

        EventFilter.Error(contains: "cannot be read").ExpectOne(() =>
            Assert.Equal(older, LoadLatest(Pid).Snapshot.Metadata));
    }

    [Fact]
    public void When_every_matching_snapshot_is_damaged_no_snapshot_is_loaded_rather_than_failing()
    {
        var only = Save(Pid, 1, "only");
        FlipByte(ExpectedPath(only), 30);

        EventFilter.Error(contains: "cannot be read").ExpectOne(() =>
        {
            var result = LoadLatest(Pid);
            Assert.Null(result.Snapshot); // recovery replays the journal from the start instead
        });
    }

    [Fact]
    public void Damage_in_a_snapshot_not_selected_by_the_criteria_is_not_read()
    {
        Save(Pid, 1, "one");
        var two = Save(Pid, 2, "two");
        var three = Save(Pid, 3, "three");
        FlipByte(ExpectedPath(three), 30);

        EventFilter.Error().Expect(0, () =>
            Assert.Equal(two, Load(Pid, new SnapshotSelectionCriteria(2)).Snapshot.Metadata));
    }

    [Fact]
    public void A_snapshot_file_of_another_persistence_id_is_not_loaded()
    {
        var own = Save(Pid, 1, "own");
        var foreign = Save("someone-else", 9, "foreign");
        // Someone copied a file into the wrong directory, under a name that would make it the newest.
        File.Copy(ExpectedPath(foreign), Path.Combine(PidDirectory(Pid), Path.GetFileName(ExpectedPath(foreign))));

        EventFilter.Error(contains: "cannot be read").ExpectOne(() =>
        {
            var result = LoadLatest(Pid);
            Assert.Equal(own, result.Snapshot.Metadata);
            Assert.Equal("own", result.Snapshot.Snapshot);
        });
    }

    [Fact]
    public void Leftover_temporary_files_do_not_disturb_loading()
    {
        var saved = Save(Pid, 5, "real");
        string directory = PidDirectory(Pid);
        long ticks = DateTime.UtcNow.Ticks;
        // A save interrupted before its rename: a torn temporary file at a higher sequence number ...
        File.WriteAllText(Path.Combine(directory, $"{9:D19}-{ticks:D19}.snapshot.json.tmp"), "{\"crc\":\"0000");
        // ... and a complete one (crash between fsync and rename) copied from a real snapshot.
        File.Copy(ExpectedPath(saved), Path.Combine(directory, $"{8:D19}-{ticks:D19}.snapshot.json.tmp"));

        EventFilter.Error().Expect(0, () =>
        {
            var result = LoadLatest(Pid);
            Assert.Equal(saved, result.Snapshot.Metadata);
            Assert.Equal("real", result.Snapshot.Snapshot);
        });
    }

    [Fact]
    public void Saving_over_a_leftover_temporary_file_of_the_same_snapshot_succeeds()
    {
        var timestamp = DateTime.UtcNow;
        var md = new SnapshotMetadata(Pid, 4, timestamp);
        string temporary = ExpectedPath(md) + ".tmp";
        Directory.CreateDirectory(PidDirectory(Pid));
        File.WriteAllText(temporary, "{\"crc\":\"deadbeef\",\"rec\":{\"half");

        Assert.Equal(md, Save(md, "after crash"));
        Assert.False(File.Exists(temporary));
        Assert.Equal([ExpectedPath(md)], AllFiles(Pid));
        Assert.Equal("after crash", LoadLatest(Pid).Snapshot.Snapshot);
    }

    [Fact]
    public void Files_with_other_names_in_the_directory_are_ignored()
    {
        var saved = Save(Pid, 5, "real");
        string directory = PidDirectory(Pid);
        File.WriteAllText(Path.Combine(directory, "README.txt"), "notes");
        File.WriteAllText(Path.Combine(directory, "not-a-number.snapshot.json"), "junk");
        File.WriteAllText(Path.Combine(directory, $"{99:D19}.snapshot.json"), "junk");

        Assert.Equal(saved, LoadLatest(Pid).Snapshot.Metadata);
        SnapshotStore.Tell(new DeleteSnapshots(Pid, SnapshotSelectionCriteria.Latest), SenderProbe.Ref);
        SenderProbe.ExpectMsg<DeleteSnapshotsSuccess>();
        Assert.False(File.Exists(ExpectedPath(saved)));
        Assert.Equal(3, AllFiles(Pid).Length); // only its own snapshot files are deleted
    }

    [SkippableFact]
    public void Snapshot_files_are_created_readable_and_writable_by_the_owner_only()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        var first = Save(Pid, 1, "one");
        var overwritten = Save(Pid, 1, "one again");

        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        const UnixFileMode ownerOnlyDirectory = ownerReadWrite | UnixFileMode.UserExecute;
        Assert.NotEqual(first, overwritten);
        Assert.False(File.Exists(ExpectedPath(first)));
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(ExpectedPath(overwritten)));
        Assert.Equal(ownerOnlyDirectory, File.GetUnixFileMode(PidDirectory(Pid)));
        Assert.Equal(ownerOnlyDirectory, File.GetUnixFileMode(SnapshotDirectory));
    }
}

/// <summary>The snapshot store with a small max-record-size.</summary>
public class SnapshotRecordSizeTests : SnapshotStoreTestBase
{
    private const string Pid = "size-pid";

    public SnapshotRecordSizeTests(ITestOutputHelper output)
        : base(output, "akka.persistence.snapshot-store.ministore.max-record-size = 64KiB") { }

    [Fact]
    public void A_snapshot_larger_than_max_record_size_fails_and_leaves_the_older_one()
    {
        var older = Save(Pid, 1, new string('s', 1000));
        SnapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 2, DateTime.MinValue), new string('x', 100 * 1024)), SenderProbe.Ref);
        var failure = SenderProbe.ExpectMsg<SaveSnapshotFailure>(Slow);
        Assert.Equal(2, failure.Metadata.SequenceNr);
        Assert.NotNull(failure.Cause);

        Assert.Equal([ExpectedPath(older)], AllFiles(Pid)); // no temporary file left
        Assert.Equal(older, LoadLatest(Pid).Snapshot.Metadata);
    }

    [Fact]
    public void A_snapshot_just_under_max_record_size_is_stored()
    {
        var md = Save(Pid, 1, new string('y', 60 * 1024));
        Assert.Equal(60 * 1024, Assert.IsType<string>(LoadLatest(Pid).Snapshot.Snapshot).Length);
        Assert.Equal(md, LoadLatest(Pid).Snapshot.Metadata);
    }
}
