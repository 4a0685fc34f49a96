using System.Collections.Concurrent;
using Akka.Persistence.MiniStore.Storage;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>The shipper in a child process, killed with SIGKILL at random points while the device writes, then restarted.</summary>
public sealed class KillTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestStore _store = new();

    [Fact]
    public Task Shipper_killed_at_random_points_ships_every_event_once_into_MiniStore() =>
        KilledAndRestartedAsync(Target.MiniStore(_store.TargetDirectory), kills: 8, pause: 50);

    [SkippableFact]
    public async Task Shipper_killed_at_random_points_ships_every_event_once_into_PostgreSQL()
    {
        using var database = PostgresDatabase.CreateOrSkip();
        await KilledAndRestartedAsync(Target.Sql(database.ConnectionString), kills: 5, pause: 250); // PostgreSQL takes tagged events a row at a time: fewer
    }

    private async Task KilledAndRestartedAsync(Target target, int kills, int pause)
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        string conf = target.WriteFile(_store.Root);
        var written = new Dictionary<string, long>();
        await using var device = Device.Start(_store.Device);
        await ShippingTests.WriteRoundsAsync(device, written, ids: 5, rounds: 4, perRound: 10);

        using var writing = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!writing.IsCancellationRequested)
            {
                await ShippingTests.WriteRoundsAsync(device, written, ids: 6, rounds: 1, perRound: 3);
                await Task.Delay(pause);
            }
        });
        string position = device.Layout.ShippingPosition("target");
        var positions = new List<long>();
        for (int kill = 0; kill < kills; kill++)
        {
            using var child = ShipperProcess.Start(_store.Device, conf, follow: true, batchSize: random.Next(1, 40));
            // Mostly while shipping (the clock starts once it has shipped something); every third kill may also hit its start.
            long before = ShippedPositions.Read(position).Ordering;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            if (kill % 3 != 2)
                await Waiting.UntilAsync(() => ShippedPositions.Read(position).Ordering > before, $"the child shipper ships ({child.Output})");
            output.WriteLine($"run {kill}: shipping after {clock.ElapsedMilliseconds} ms");
            await Task.Delay(random.Next(0, 1000));
            await child.KillAsync();
            positions.Add(ShippedPositions.Read(position).Ordering);
        }
        output.WriteLine($"position after each kill: {string.Join(", ", positions)}");
        Assert.Contains(positions, p => p > 0); // killed while shipping, not only while starting
        writing.Cancel();
        await writer;

        using var last = ShipperProcess.Start(_store.Device, conf, follow: false);
        int exit = await last.WaitAsync(TimeSpan.FromMinutes(3));
        output.WriteLine(last.Output);
        Assert.True(exit == 0, $"the last shipper run failed ({exit}): {last.Output}");
        var held = await target.ReadAsync(written.Keys);
        held.ShouldMatch(written, TestStore.DeviceOrder(device.Layout));
    }

    public void Dispose() => _store.Dispose();
}
