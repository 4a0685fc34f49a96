using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.MiniStore.Hosting;
using Akka.Persistence.MiniStore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>Shipping in the application (Akka.Hosting's WithMiniStoreShipping): woken by the journal, across restarts of the device, with its health check.</summary>
public sealed class HostingTests : IDisposable
{
    private readonly TestStore _store = new();

    private IHost StartHost(Target target, TimeSpan? degradedLag = null)
    {
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(services => services.AddHealthChecks().Services.AddAkka("device", builder => builder
                .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                .WithMiniStorePersistence(_store.Device)
                .WithMiniStoreShipping(o =>
                {
                    o.TargetJournalPluginId = Target.JournalId;
                    o.TargetSnapshotPluginId = Target.SnapshotId;
                    o.MinBackoff = TimeSpan.FromMilliseconds(100);
                    o.MaxBackoff = TimeSpan.FromMilliseconds(500);
                    o.DegradedLag = degradedLag ?? TimeSpan.FromSeconds(60);
                    o.SnapshotInterval = TimeSpan.FromMilliseconds(200);
                }, targetHocon: target.Plugins)))
            .Build();
        host.Start();
        return host;
    }

    [Fact]
    public async Task The_file_ministore_ship_takes_names_the_targets_and_leaves_the_applications_journal_alone()
    {
        var target = Target.MiniStore(_store.TargetDirectory);
        // central.conf as for `ministore ship --to`: the targets as the default plugins, then their sections.
        string file = $"akka.persistence.journal.plugin = \"{Target.JournalId}\"\nakka.persistence.snapshot-store.plugin = \"{Target.SnapshotId}\"\n{target.Plugins}";
        var written = new Dictionary<string, long>();
        using (var host = Host.CreateDefaultBuilder()
                   .ConfigureLogging(logging => logging.ClearProviders())
                   .ConfigureServices(services => services.AddHealthChecks().Services.AddAkka("device", builder => builder
                       .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                       .WithMiniStorePersistence(_store.Device)
                       .WithMiniStoreShipping(o => o.MinBackoff = TimeSpan.FromMilliseconds(100), targetHocon: file)))
                   .Build())
        {
            host.Start();
            var system = host.Services.GetRequiredService<ActorSystem>();
            Assert.NotEqual(Target.JournalId, system.Settings.Config.GetString("akka.persistence.journal.plugin"));
            var device = DeviceOf(host);
            await ShippingTests.WriteRoundsAsync(device, written, ids: 3, rounds: 4, perRound: 2);
            await Waiting.UntilShippedAsync(Layout, Layout.ShippingPosition("target"));
            Assert.NotNull(MiniStoreShipping.Get(system).Shipper("target"));
            await host.StopAsync();
        }
        Assert.All(written.Keys, id => Assert.True(File.Exists(Layout.EventLog(id)), $"the device's own journal did not store '{id}'"));
        var held = await target.ReadAsync(written.Keys);
        held.ShouldMatch(written, TestStore.DeviceOrder(Layout));
    }

    private static Device DeviceOf(IHost host) => Device.Of(host.Services.GetRequiredService<ActorSystem>(), "");

    private static async Task<HealthStatus> HealthAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "ministore-shipping-target");
        return report.Entries["ministore-shipping-target"].Status;
    }

    private StoreLayout Layout => new(Path.Combine(_store.Device, "journal"), Path.Combine(_store.Device, "snapshots"));

    [Fact]
    public async Task Device_restarts_mid_stream_and_shipping_in_the_application_resumes()
    {
        var target = Target.MiniStore(_store.TargetDirectory);
        var written = new Dictionary<string, long>();
        using (var host = StartHost(target))
        {
            var device = DeviceOf(host);
            await ShippingTests.WriteRoundsAsync(device, written, ids: 5, rounds: 30, perRound: 4);
            await device.SnapshotAsync("sensor-2");
            await host.StopAsync(); // while shipping, most likely: the next start reconciles with the target
        }
        using (var host = StartHost(target))
        {
            var device = DeviceOf(host);
            await ShippingTests.WriteRoundsAsync(device, written, ids: 7, rounds: 10, perRound: 3);
            await Waiting.UntilShippedAsync(Layout, Layout.ShippingPosition("target"));
            await Waiting.UntilAsync(() => ShippedPositions.Read(Layout.ShippingPosition("target")).Snapshots.ContainsKey("sensor-2"), "the snapshot is shipped");
            Assert.Equal(HealthStatus.Healthy, await HealthAsync(host));
            await host.StopAsync();
        }
        var held = await target.ReadAsync(written.Keys);
        held.ShouldMatch(written, TestStore.DeviceOrder(Layout));
        Assert.Equal(120, held.Snapshots["sensor-2"]);
    }

    [SkippableFact]
    public async Task PostgreSQL_stopped_and_started_again_mid_stream()
    {
        using var postgres = PrivatePostgres.Start();
        var target = Target.Sql(postgres.ConnectionString);
        var written = new Dictionary<string, long>();
        using (var host = StartHost(target, degradedLag: TimeSpan.FromSeconds(1)))
        {
            var device = DeviceOf(host);
            var shipper = MiniStoreShipping.Get(host.Services.GetRequiredService<ActorSystem>()).Shipper("target")!;
            await ShippingTests.WriteRoundsAsync(device, written, ids: 5, rounds: 10, perRound: 4);
            await Waiting.UntilShippedAsync(Layout, Layout.ShippingPosition("target"));

            postgres.Stop();
            await ShippingTests.WriteRoundsAsync(device, written, ids: 6, rounds: 10, perRound: 4); // the device goes on storing
            await Waiting.UntilAsync(() => shipper.Status.State == ShippingState.TargetUnavailable, "the shipper reports the target unavailable");
            await ShippingTests.WriteRoundsAsync(device, written, ids: 6, rounds: 5, perRound: 4);
            await Task.Delay(1500);
            Assert.Equal(HealthStatus.Degraded, await HealthAsync(host)); // the oldest event waiting is older than the degraded lag
            Assert.True(shipper.Status.BacklogEvents > 0, "the backlog is reported");

            postgres.Resume();
            await ShippingTests.WriteRoundsAsync(device, written, ids: 6, rounds: 5, perRound: 4);
            await Waiting.UntilShippedAsync(Layout, Layout.ShippingPosition("target"), "after PostgreSQL came back");
            await Waiting.UntilAsync(() => shipper.Status.State == ShippingState.CaughtUp, "caught up");
            await host.StopAsync();
        }
        var held = await target.ReadAsync(written.Keys);
        held.ShouldMatch(written, TestStore.DeviceOrder(Layout));
    }

    public void Dispose() => _store.Dispose();
}
