using Akka.Persistence.MiniStore.Storage;
using MiniStore;
using Xunit;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>The shipper's position log: last value per id wins, a rewrite keeps the state, one shipper per log.</summary>
public sealed class PositionLogTests : IDisposable
{
    private readonly TestStore _store = new();
    private string PositionPath => Path.Combine(_store.Root, "shipping", "central.jsonl");

    [Fact]
    public void Positions_are_folded_last_value_wins_and_survive_rewrites()
    {
        using (var log = PositionLog.Open(PositionPath, new MiniStoreOptions(), compactBytes: 2048, owner: "test"))
        {
            for (int i = 1; i <= 200; i++)
                log.Record(i, [KeyValuePair.Create($"id-{i % 7}", (long)i)], i % 50 == 0 ? [KeyValuePair.Create("id-1", (long)i)] : []);
            log.Record(201, [KeyValuePair.Create("id-3", 5L)], []); // lowered (the target lost events): the last line holds
        }
        Assert.True(new FileInfo(PositionPath).Length < 4 * 2048, "the log was rewritten without its history");
        var read = ShippedPositions.Read(PositionPath);
        Assert.Equal(201, read.Ordering);
        Assert.Equal(5, read.EventsOf("id-3"));
        Assert.Equal(196, read.EventsOf("id-0"));
        Assert.Equal(200, read.Snapshots["id-1"]);
        Assert.Equal(7, read.Events.Count);
    }

    [Fact]
    public void A_second_shipper_of_the_same_log_is_refused()
    {
        using var first = PositionLog.Open(PositionPath, new MiniStoreOptions(), 1 << 20, "first");
        var e = Assert.Throws<ShippingException>(() => PositionLog.Open(PositionPath, new MiniStoreOptions(), 1 << 20, "second"));
        Assert.Contains(PositionPath, e.Message);
    }

    public void Dispose() => _store.Dispose();
}
