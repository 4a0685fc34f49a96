using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// A shipper beside the application (what <c>ministore ship DIR --to target.conf [--follow]</c> runs): its own actor
/// system with only the target plugins, as a HOCON file configures them; the store is read read-only while the
/// application owns it (no write permission in the journal directory is needed; the position log lives where
/// <see cref="ShippingOptions.PositionPath"/> says, by default in the store's <c>shipping/</c> directory). New
/// events are found by polling (<see cref="ShippingOptions.PollInterval"/>).
/// </summary>
public sealed class StandaloneShipper : IAsyncDisposable
{
    private StandaloneShipper(ActorSystem system, StoreShipper shipper)
    {
        System = system;
        Shipper = shipper;
    }

    public ActorSystem System { get; }
    public StoreShipper Shipper { get; }

    /// <summary>
    /// Starts the target plugins configured by <paramref name="targetHoconFile"/>. The target journal is
    /// <see cref="ShippingOptions.TargetJournalPluginId"/>, else the file's <c>akka.persistence.journal.plugin</c>;
    /// the snapshot store likewise (none: snapshots are not shipped). Throws <see cref="ShippingException"/> naming
    /// the file and what is wrong.
    /// </summary>
    public static StandaloneShipper Start(string storeDirectory, string targetHoconFile, ShippingOptions? options = null, ActorSystemSetup? setup = null)
    {
        if (!File.Exists(targetHoconFile))
            throw new ShippingException($"No target configuration file '{Path.GetFullPath(targetHoconFile)}'");
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(File.ReadAllText(targetHoconFile));
        }
        catch (Exception e) when (e is not OutOfMemoryException) // the HOCON parser's own exception types
        {
            throw new ShippingException($"{targetHoconFile}: not valid HOCON: {e.Message}", e);
        }
        return Start(storeDirectory, config, Path.GetFileName(targetHoconFile), options, setup);
    }

    /// <summary>As <see cref="Start(string, string, ShippingOptions?, ActorSystemSetup?)"/> with the configuration given; <paramref name="source"/> names it in errors.</summary>
    public static StandaloneShipper Start(string storeDirectory, Config target, string source, ShippingOptions? options = null, ActorSystemSetup? setup = null)
    {
        var layout = StoreLayout.Find(storeDirectory) ?? throw new ShippingException($"No store at '{Path.GetFullPath(storeDirectory)}': the directory does not exist");
        options ??= new ShippingOptions();
        // The file as Akka will see it: MiniStore's own plugins (short ids ministore and ministore-snapshots) are known without a section.
        var quiet = ConfigurationFactory.ParseString("akka.loglevel = INFO\nakka.stdout-loglevel = WARNING");
        var config = target.WithFallback(quiet).WithFallback(MiniStorePersistence.DefaultConfiguration());
        if (string.IsNullOrEmpty(options.TargetJournalPluginId))
            options.TargetJournalPluginId = config.GetString("akka.persistence.journal.plugin", "");
        if (string.IsNullOrEmpty(options.TargetJournalPluginId))
            throw new ShippingException($"{source}: set akka.persistence.journal.plugin to the target journal's plugin id (or give it in the options)");
        CheckPlugin(config, source, options.TargetJournalPluginId, "journal");
        if (options.TargetSnapshotPluginId is null && config.GetString("akka.persistence.snapshot-store.plugin", "") is { Length: > 0 } snapshots && config.HasPath(snapshots))
            options.TargetSnapshotPluginId = snapshots;
        if (options.TargetSnapshotPluginId is { Length: > 0 } snapshotPlugin)
            CheckPlugin(config, source, snapshotPlugin, "snapshot store");
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ShippingException($"{source}: {e.Message}", e);
        }

        var system = setup is null
            ? ActorSystem.Create("ministore-ship", config)
            : ActorSystem.Create("ministore-ship", setup.And(BootstrapSetup.Create().WithConfig(config)));
        try
        {
            // The application's journal sets the longest line; reading accepts up to a snapshot's default limit.
            var logOptions = new MiniStoreOptions { MaxLineLength = 64 * 1024 * 1024 };
            return new StandaloneShipper(system, new StoreShipper(system, layout, options, signal: null, logOptions));
        }
        catch
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    /// <summary>Ships until cancelled (<paramref name="follow"/>) or until caught up.</summary>
    public Task<ShippingSummary> RunAsync(bool follow, CancellationToken cancellationToken = default) => Shipper.RunAsync(follow, cancellationToken);

    /// <summary>The plugin must have a section and a class that loads, before the system starts: Akka would fail later, naming only the assembly.</summary>
    private static void CheckPlugin(Config config, string source, string pluginId, string what)
    {
        if (!config.HasPath(pluginId))
            throw new ShippingException($"{source}: the target {what} plugin '{pluginId}' has no configuration section");
        string? typeName = config.GetString(pluginId + ".class", null);
        if (string.IsNullOrEmpty(typeName))
            throw new ShippingException($"{source}: the target {what} plugin '{pluginId}' sets no class");
        try
        {
            Type.GetType(typeName, throwOnError: true);
        }
        catch (Exception e) when (e is IOException or TypeLoadException or ArgumentException or BadImageFormatException)
        {
            throw new ShippingException($"{source}: the target {what} plugin '{pluginId}' has class = \"{typeName}\", which cannot be loaded ({e.Message.Trim()}); " +
                                        "put its assembly beside the tool or pass it with --assembly");
        }
    }

    public async ValueTask DisposeAsync() => await System.Terminate().ConfigureAwait(false);
}
