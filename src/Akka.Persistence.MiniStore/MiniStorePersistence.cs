using Akka.Configuration;

namespace Akka.Persistence.MiniStore;

/// <summary>The plugin's configuration paths and its embedded defaults (HOCON/reference.conf).</summary>
public static class MiniStorePersistence
{
    public const string JournalConfigPath = "akka.persistence.journal.ministore";
    public const string SnapshotStoreConfigPath = "akka.persistence.snapshot-store.ministore";

    private static readonly Lazy<Config> Defaults = new(() =>
    {
        using var stream = typeof(MiniStorePersistence).Assembly.GetManifestResourceStream("Akka.Persistence.MiniStore.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in Akka.Persistence.MiniStore");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    /// <summary>The plugin's defaults. Akka.NET looks plugin sections up before it loads a plugin's assembly, so give them as a fallback when creating the system: <c>ActorSystem.Create("app", config.WithFallback(MiniStorePersistence.DefaultConfiguration()))</c>.</summary>
    public static Config DefaultConfiguration() => Defaults.Value;
}
