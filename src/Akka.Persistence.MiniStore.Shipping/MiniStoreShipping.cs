using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.MiniStore.Storage;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// The shippers running in an actor system (an Akka extension): <see cref="Start"/> runs one in the background until
/// the system shuts down (it is stopped in CoordinatedShutdown's service-stop phase, after its write in flight).
/// Akka.Hosting's <c>WithMiniStoreShipping</c> starts one through it; the health check finds it here by name.
/// </summary>
public sealed class MiniStoreShipping : IExtension
{
    private readonly ExtendedActorSystem _system;
    private readonly ConcurrentDictionary<string, (StoreShipper Shipper, Task<ShippingSummary> Run, CancellationTokenSource Stop)> _running = new();

    public MiniStoreShipping(ExtendedActorSystem system) => _system = system;

    public static MiniStoreShipping Get(ActorSystem system) => system.WithExtension<MiniStoreShipping, MiniStoreShippingProvider>();

    public StoreShipper? Shipper(string name) => _running.TryGetValue(name, out var running) ? running.Shipper : null;

    /// <summary>The run of a shipper started here (completes when it stops; faults if it could not start, e.g. its position log is taken).</summary>
    public Task<ShippingSummary>? Run(string name) => _running.TryGetValue(name, out var running) ? running.Run : null;

    /// <summary>
    /// Starts shipping the store of the MiniStore journal <paramref name="journalPluginId"/> of this system (by
    /// default the system's default journal; started now if it is not, so that its event index is caught up and
    /// signals new events) into the target plugins that <paramref name="options"/> names, following it until the
    /// system shuts down. Snapshots are read from <paramref name="snapshotPluginId"/>'s directory (by default the
    /// system's default snapshot store).
    /// </summary>
    public StoreShipper Start(ShippingOptions options, string? journalPluginId = null, string? snapshotPluginId = null)
    {
        var config = _system.Settings.Config;
        journalPluginId ??= config.GetString("akka.persistence.journal.plugin", null) is { Length: > 0 } journalDefault ? journalDefault : MiniStorePersistence.JournalConfigPath;
        snapshotPluginId ??= config.GetString("akka.persistence.snapshot-store.plugin", null) is { Length: > 0 } snapshotDefault ? snapshotDefault : MiniStorePersistence.SnapshotStoreConfigPath;
        var defaults = MiniStorePersistence.DefaultConfiguration();
        var journal = MiniStoreSettings.Create(Section(config, journalPluginId, MiniStorePersistence.JournalConfigPath, defaults), journalPluginId);
        var snapshots = MiniStoreSettings.Create(Section(config, snapshotPluginId, MiniStorePersistence.SnapshotStoreConfigPath, defaults), snapshotPluginId);
        Persistence.Instance.Apply(_system).JournalFor(journalPluginId);
        var layout = new StoreLayout(journal.Directory, snapshots.Directory);
        var shipper = new StoreShipper(_system, layout, options, IndexSignals.Get(_system).For(journal.Directory), journal.ToLogOptions(_system));
        var stop = new CancellationTokenSource();
        if (!_running.TryAdd(shipper.Name, (shipper, Task.Run(() => shipper.RunAsync(follow: true, stop.Token)), stop)))
            throw new InvalidOperationException($"A MiniStore shipper named '{shipper.Name}' already runs in actor system '{_system.Name}'");
        CoordinatedShutdown.Get(_system).AddTask(CoordinatedShutdown.PhaseServiceStop, $"stop-ministore-shipper-{shipper.Name}", async () =>
        {
            await StopAsync(shipper.Name).ConfigureAwait(false);
            return Done.Instance;
        });
        return shipper;
    }

    /// <summary>Stops a shipper started here and waits for it (its write in flight finishes first).</summary>
    public async Task StopAsync(string name)
    {
        if (!_running.TryRemove(name, out var running))
            return;
        running.Stop.Cancel();
        try
        {
            await running.Run.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _system.Log.Error(e, "MiniStore shipper '{0}' stopped on an error", name);
        }
        finally
        {
            running.Stop.Dispose();
        }
    }

    /// <summary>A plugin's settings: its own section, then the long MiniStore section (the short ids keep theirs there), then the defaults.</summary>
    private static Config Section(Config config, string pluginId, string longPath, Config defaults) =>
        (config.GetConfig(pluginId) ?? Config.Empty).WithFallback(config.GetConfig(longPath) ?? Config.Empty).WithFallback(defaults.GetConfig(longPath));
}

public sealed class MiniStoreShippingProvider : ExtensionIdProvider<MiniStoreShipping>
{
    public override MiniStoreShipping CreateExtension(ExtendedActorSystem system) => new(system);
}
