using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Snapshot;

/// <summary>keep-snapshots = 2: saving a snapshot deletes the oldest beyond the newest two, of that id only.</summary>
public class SnapshotRetentionTests : SnapshotStoreTestBase
{
    public SnapshotRetentionTests(ITestOutputHelper output) : base(output, "akka.persistence.snapshot-store.ministore.keep-snapshots = 2") { }

    [Fact]
    public void Only_the_newest_snapshots_are_kept_and_the_latest_still_loads()
    {
        for (int i = 1; i <= 5; i++)
            Save("kept", i * 10, $"state at {i * 10}");
        Save("other", 1, "state of another id");

        Assert.Equal(new long[] { 40, 50 }, SnapshotFiles("kept").Select(f => long.Parse(Path.GetFileName(f).Split('-')[0])).Order());
        Assert.Single(SnapshotFiles("other"));
        Assert.Equal("state at 50", LoadLatest("kept").Snapshot.Snapshot);
    }
}
