using Akka.Configuration;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>The read journal's settings (akka.persistence.query.journal.ministore in reference.conf).</summary>
public sealed record ReadJournalSettings(TimeSpan RefreshInterval, int MaxBufferSize, string WritePlugin)
{
    public static ReadJournalSettings Create(Config config)
    {
        var settings = new ReadJournalSettings(
            config.GetTimeSpan("refresh-interval", TimeSpan.FromSeconds(1)),
            config.GetInt("max-buffer-size", 500),
            config.GetString("write-plugin", MiniStorePersistence.JournalConfigPath) ?? "");
        if (settings.RefreshInterval <= TimeSpan.Zero)
            throw new ConfigurationException($"{MiniStoreReadJournal.Identifier}.refresh-interval must be positive, not {settings.RefreshInterval}");
        if (settings.MaxBufferSize < 1)
            throw new ConfigurationException($"{MiniStoreReadJournal.Identifier}.max-buffer-size must be at least 1, not {settings.MaxBufferSize}");
        return settings;
    }
}
