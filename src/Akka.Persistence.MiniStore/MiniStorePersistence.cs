using Akka.Actor;
using Akka.Configuration;

namespace Akka.Persistence.MiniStore;

/// <summary>
/// The plugin's ids, configuration paths and embedded defaults (HOCON/reference.conf). Switch it on with the line
/// Akka.NET users write: <c>akka.persistence.journal.plugin = ministore</c> (and
/// <c>akka.persistence.snapshot-store.plugin = ministore-snapshots</c>); the long ids
/// (<see cref="JournalConfigPath"/>, <see cref="SnapshotStoreConfigPath"/>) work the same. Either way the settings are
/// read from the long sections, <c>akka.persistence.journal.ministore { directory = ... }</c>.
/// </summary>
public static class MiniStorePersistence
{
    /// <summary>The journal's short plugin id.</summary>
    public const string JournalId = "ministore";
    /// <summary>The snapshot store's short plugin id.</summary>
    public const string SnapshotStoreId = "ministore-snapshots";
    public const string JournalConfigPath = "akka.persistence.journal.ministore";
    public const string SnapshotStoreConfigPath = "akka.persistence.snapshot-store.ministore";

    private static readonly Lazy<Config> Defaults = new(() =>
    {
        using var stream = typeof(MiniStorePersistence).Assembly.GetManifestResourceStream("Akka.Persistence.MiniStore.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in Akka.Persistence.MiniStore");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    /// <summary>
    /// The plugin's defaults. Akka.NET looks plugin sections up before it loads a plugin's assembly, so give them as a
    /// fallback when creating the system: <c>ActorSystem.Create("app", config.WithFallback(MiniStorePersistence.DefaultConfiguration()))</c>.
    /// Akka.Hosting's <c>WithMiniStorePersistence</c> does it for you.
    /// </summary>
    public static Config DefaultConfiguration() => Defaults.Value;

    /// <summary>A journal's settings: its own section (under whichever id it was started), then the long section, then the defaults.</summary>
    internal static Config JournalConfig(Config plugin, ActorSystem system) => Merged(plugin, system, JournalConfigPath);

    /// <summary>A snapshot store's settings, as <see cref="JournalConfig"/>.</summary>
    internal static Config SnapshotStoreConfig(Config plugin, ActorSystem system) => Merged(plugin, system, SnapshotStoreConfigPath);

    private static Config Merged(Config plugin, ActorSystem system, string path) =>
        plugin.WithFallback(system.Settings.Config.GetConfig(path) ?? Config.Empty).WithFallback(Defaults.Value.GetConfig(path));
}
