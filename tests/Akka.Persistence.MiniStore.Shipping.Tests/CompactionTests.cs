using Akka.Persistence.MiniStore.Storage;
using MiniStore;
using Xunit;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>The journal's compaction keeps the events a shipper has not delivered (ShippedPositions in the store's shipping/ directory).</summary>
public sealed class CompactionTests : IDisposable
{
    private readonly TestStore _store = new();

    [Fact]
    public async Task Compaction_keeps_the_events_no_shipper_has_delivered()
    {
        await using (var device = Device.Start(_store.Device))
        {
            var layout = device.Layout;
            await device.WriteAsync("s1", 10);
            WritePosition(layout.ShippingPosition("central"), ("s1", 3));
            WritePosition(layout.ShippingPosition("backup"), ("s1", 6));
            await device.DeleteToAsync("s1", 8);
            await Eventually(() => TestStore.LoggedSequenceNrs(layout, "s1").First() == 4); // min(deleted to 8, delivered by all: 3)
            Assert.Equal(Enumerable.Range(4, 7).Select(i => (long)i), TestStore.LoggedSequenceNrs(layout, "s1"));
        }
    }

    [Fact]
    public async Task Without_shipping_compaction_removes_every_deleted_event()
    {
        await using var device = Device.Start(_store.Device);
        await device.WriteAsync("s1", 10);
        await device.DeleteToAsync("s1", 8);
        await Eventually(() => TestStore.LoggedSequenceNrs(device.Layout, "s1").First() == 9);
        Assert.Equal([9L, 10L], TestStore.LoggedSequenceNrs(device.Layout, "s1"));
    }

    [Fact]
    public async Task An_id_a_shipper_has_not_reached_is_not_compacted()
    {
        await using var device = Device.Start(_store.Device);
        await device.WriteAsync("s1", 10);
        await device.WriteAsync("s2", 1);
        WritePosition(device.Layout.ShippingPosition("central"), ("s2", 1));
        await device.DeleteToAsync("s1", 8);
        await device.WriteAsync("s1", 1); // queued behind the compaction of s1
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), TestStore.LoggedSequenceNrs(device.Layout, "s1"));
    }

    private static void WritePosition(string path, params (string Id, long Seq)[] shipped)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!); // the shipper's to create, as the engine creates no directories
        using var log = MiniStoreLog.Open(path);
        log.Append(ShippedPositions.Line(0, shipped.Select(s => KeyValuePair.Create(s.Id, s.Seq)).ToList(), []));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
            await Task.Delay(50);
        Assert.True(condition());
    }

    public void Dispose() => _store.Dispose();
}
