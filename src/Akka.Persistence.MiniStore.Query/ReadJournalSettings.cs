using Akka.Configuration;
using Akka.Persistence.MiniStore.Journal;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>The read journal's settings (akka.persistence.query.journal.ministore in reference.conf).</summary>
public sealed record ReadJournalSettings(TimeSpan RefreshInterval, int MaxBufferSize, string WritePlugin)
{
    /// <param name="config">The read journal's section, with its defaults.</param>
    /// <param name="systemConfig">The actor system's configuration: when <c>write-plugin</c> is not set, the system's default journal decides (without it, the long path).</param>
    public static ReadJournalSettings Create(Config config, Config? systemConfig = null)
    {
        var settings = new ReadJournalSettings(
            config.GetTimeSpan("refresh-interval", TimeSpan.FromSeconds(1)),
            config.GetInt("max-buffer-size", 500),
            config.HasPath("write-plugin") ? config.GetString("write-plugin", "") ?? "" : DefaultWritePlugin(systemConfig));
        if (settings.RefreshInterval <= TimeSpan.Zero)
            throw new ConfigurationException($"{MiniStoreReadJournal.Identifier}.refresh-interval must be positive, not {settings.RefreshInterval}");
        if (settings.MaxBufferSize < 1)
            throw new ConfigurationException($"{MiniStoreReadJournal.Identifier}.max-buffer-size must be at least 1, not {settings.MaxBufferSize}");
        return settings;
    }

    /// <summary>
    /// The system's default journal (<c>akka.persistence.journal.plugin</c>) when it is a MiniStore journal, so that
    /// the read journal uses the journal already running over the store, under whichever id it was switched on (the
    /// short <c>ministore</c> or the long path): starting another id would start a second journal over the same
    /// directory, which its lock refuses. Else the long path.
    /// </summary>
    private static string DefaultWritePlugin(Config? systemConfig)
    {
        if (systemConfig is null)
            return MiniStorePersistence.JournalConfigPath;
        string plugin = systemConfig.GetString("akka.persistence.journal.plugin", "") ?? "";
        return plugin.Length > 0 && IsMiniStoreJournal(systemConfig.GetString(plugin + ".class", "")) ? plugin : MiniStorePersistence.JournalConfigPath;
    }

    private static bool IsMiniStoreJournal(string? className) =>
        !string.IsNullOrWhiteSpace(className) && Type.GetType(className.Trim(), throwOnError: false) == typeof(MiniStoreJournal);
}
