using Akka.Actor.Setup;
using Akka.Persistence.MiniStore.Storage;
using Xunit;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>Shipping into a second MiniStore store: needs nothing installed, so these always run.</summary>
public sealed class ShippingTests : IDisposable
{
    private readonly TestStore _store = new();

    private static ShippingOptions Options() => new()
    {
        TargetJournalPluginId = Target.JournalId,
        TargetSnapshotPluginId = Target.SnapshotId,
        PollInterval = TimeSpan.FromMilliseconds(50),
        MinBackoff = TimeSpan.FromMilliseconds(100),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
        SnapshotInterval = TimeSpan.FromMilliseconds(200),
        BatchSize = 64,
    };

    [Fact]
    public Task Ships_every_event_with_its_tags_in_order_and_each_snapshot_once_into_MiniStore() =>
        ShipsEverythingOnceAsync(Target.MiniStore(_store.TargetDirectory));

    [SkippableFact]
    public async Task Ships_every_event_with_its_tags_in_order_and_each_snapshot_once_into_PostgreSQL()
    {
        using var database = PostgresDatabase.CreateOrSkip();
        await ShipsEverythingOnceAsync(Target.Sql(database.ConnectionString));
    }

    private async Task ShipsEverythingOnceAsync(Target target)
    {
        var written = new Dictionary<string, long>();
        await using (var device = Device.Start(_store.Device))
        {
            await WriteRoundsAsync(device, written, ids: 5, rounds: 20, perRound: 3);
            await device.SnapshotAsync("sensor-1");
            await device.SnapshotAsync("sensor-3");

            var first = await ShipOnceAsync(target);
            Assert.Equal(300, first.Events);
            Assert.Equal(2, first.Snapshots);
            var again = await ShipOnceAsync(target);
            Assert.Equal(0, again.Events); // none twice
            Assert.Equal(0, again.Snapshots);

            await WriteRoundsAsync(device, written, ids: 6, rounds: 5, perRound: 2);
            await device.SnapshotAsync("sensor-1");
            var third = await ShipOnceAsync(target);
            Assert.Equal(60, third.Events);
            Assert.Equal(1, third.Snapshots);
        }
        var held = await target.ReadAsync(written.Keys);
        held.ShouldMatch(written, TestStore.DeviceOrder(new StoreLayout(Path.Combine(_store.Device, "journal"))));
        Assert.Equal(written["sensor-1"], held.Snapshots["sensor-1"]);
        Assert.Equal(60, held.Snapshots["sensor-3"]);
        Assert.False(held.Snapshots.ContainsKey("sensor-2"));
    }

    [Fact]
    public async Task Target_unavailable_mid_stream_the_device_keeps_writing_and_the_shipper_catches_up()
    {
        var target = Target.MiniStore(_store.TargetDirectory);
        var sync = new SwitchableSync();
        var written = new Dictionary<string, long>();
        await using var device = Device.Start(_store.Device);
        await WriteRoundsAsync(device, written, ids: 4, rounds: 5, perRound: 5);

        await using (var shipper = StandaloneShipper.Start(_store.Device, target.Config, "target", Options(), ActorSystemSetup.Create(new MiniStoreFileSyncSetup(sync))))
        {
            using var stop = new CancellationTokenSource();
            var run = shipper.RunAsync(follow: true, stop.Token);
            await Waiting.UntilShippedAsync(device.Layout, shipper.Shipper.PositionPath);

            sync.Down = true;
            await WriteRoundsAsync(device, written, ids: 4, rounds: 10, perRound: 5); // stored at once, target or not
            await Waiting.UntilAsync(() => shipper.Shipper.Status.State == ShippingState.TargetUnavailable, "the shipper reports the target unavailable");
            await WriteRoundsAsync(device, written, ids: 5, rounds: 10, perRound: 5);
            await Waiting.UntilAsync(() => shipper.Shipper.Status.BacklogEvents > 0 && shipper.Shipper.Status.BacklogBytes > 0, "the backlog is reported");
            Assert.Equal(ShippingState.TargetUnavailable, shipper.Shipper.Status.State);
            Assert.Contains("simulated outage", shipper.Shipper.Status.Problem);

            sync.Down = false;
            await WriteRoundsAsync(device, written, ids: 5, rounds: 5, perRound: 5);
            await Waiting.UntilShippedAsync(device.Layout, shipper.Shipper.PositionPath, "after the target came back");
            await Waiting.UntilAsync(() => shipper.Shipper.Status.State == ShippingState.CaughtUp, "the shipper is caught up");
            stop.Cancel();
            await run;
        }
        var held = await target.ReadAsync(written.Keys);
        held.ShouldMatch(written, TestStore.DeviceOrder(device.Layout));
    }

    [Fact]
    public async Task Compaction_during_shipping_keeps_what_is_not_shipped_and_deleted_events_still_arrive()
    {
        var target = Target.MiniStore(_store.TargetDirectory);
        var sync = new SwitchableSync();
        var written = new Dictionary<string, long>();
        await using var device = Device.Start(_store.Device);
        await WriteRoundsAsync(device, written, ids: 3, rounds: 10, perRound: 5);
        await using (var shipper = StandaloneShipper.Start(_store.Device, target.Config, "target", Options(), ActorSystemSetup.Create(new MiniStoreFileSyncSetup(sync))))
        {
            using var stop = new CancellationTokenSource();
            var run = shipper.RunAsync(follow: true, stop.Token);
            await Waiting.UntilShippedAsync(device.Layout, shipper.Shipper.PositionPath);
            sync.Down = true;
            await WriteRoundsAsync(device, written, ids: 3, rounds: 10, perRound: 5);
            await device.SnapshotAsync("sensor-1");
            await device.DeleteToAsync("sensor-1", 80);
            await device.WriteAsync("sensor-1", 1); // queued behind the compaction
            written["sensor-1"]++;
            // Shipped up to 50 when the target went away: the compaction keeps 51..80 though they are deleted.
            Assert.Equal(Enumerable.Range(51, 51).Select(i => (long)i), TestStore.LoggedSequenceNrs(device.Layout, "sensor-1"));

            sync.Down = false;
            await Waiting.UntilShippedAsync(device.Layout, shipper.Shipper.PositionPath);
            await device.DeleteToAsync("sensor-2", 90);
            await device.WriteAsync("sensor-2", 1);
            written["sensor-2"]++;
            Assert.Equal([91L, 92L, 93L, 94L, 95L, 96L, 97L, 98L, 99L, 100L, 101L], TestStore.LoggedSequenceNrs(device.Layout, "sensor-2"));
            await Waiting.UntilShippedAsync(device.Layout, shipper.Shipper.PositionPath);
            await Waiting.UntilAsync(() => ShippedPositions.Read(shipper.Shipper.PositionPath).Snapshots.ContainsKey("sensor-1"), "the snapshot is shipped");
            stop.Cancel();
            await run;
        }
        var held = await target.ReadAsync(written.Keys);
        held.ShouldMatch(written, TestStore.DeviceOrder(device.Layout));
        Assert.Equal(100, held.Snapshots["sensor-1"]);
    }

    private async Task<ShippingSummary> ShipOnceAsync(Target target)
    {
        await using var shipper = StandaloneShipper.Start(_store.Device, target.Config, "target", Options());
        return await shipper.RunAsync(follow: false);
    }

    /// <summary>Rounds of writes taking turns over the ids, so that their events interleave in the device's order.</summary>
    internal static async Task WriteRoundsAsync(Device device, Dictionary<string, long> written, int ids, int rounds, int perRound)
    {
        for (int round = 0; round < rounds; round++)
            await Task.WhenAll(Enumerable.Range(1, ids).Select(i =>
            {
                string id = $"sensor-{i}";
                written[id] = written.GetValueOrDefault(id) + perRound;
                return device.WriteAsync(id, perRound);
            }));
    }

    public void Dispose() => _store.Dispose();
}
