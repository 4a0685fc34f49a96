using System.Text;
using Akka.Configuration;
using Akka.Hosting;

namespace Akka.Persistence.MiniStore.Hosting;

/// <summary>
/// The read journal over a MiniStore journal, configured in code: becomes the
/// <c>akka.persistence.query.journal.&lt;journal identifier&gt;</c> HOCON section, reading that journal's events
/// (obtain it with <c>PersistenceQuery.Get(system).ReadJournalFor&lt;MiniStoreReadJournal&gt;("akka.persistence.query.journal.&lt;identifier&gt;")</c>,
/// from the Akka.Persistence.MiniStore.Query package).
/// </summary>
public sealed class MiniStoreQueryOptions
{
    private const string DefaultSection = "akka.persistence.query.journal.ministore";

    /// <summary>How often live queries look for new events when no journal in this actor system tells them. <b>Default</b>: 1 s.</summary>
    public TimeSpan? RefreshInterval { get; set; }

    /// <summary>Events (or persistence ids) read from disk at a time, per query. <b>Default</b>: 500.</summary>
    public int? MaxBufferSize { get; set; }

    /// <summary>The read journal's section for the journal <paramref name="journalIdentifier"/>, over the embedded defaults.</summary>
    public Config ToConfig(string journalIdentifier)
    {
        var defaults = MiniStorePersistence.DefaultConfiguration().GetConfig(DefaultSection);
        var sb = new StringBuilder();
        sb.AppendLine($"akka.persistence.query.journal.{journalIdentifier} {{");
        sb.AppendLine($"class = {defaults.GetString("class").ToHocon()}");
        sb.AppendLine($"write-plugin = {("akka.persistence.journal." + journalIdentifier).ToHocon()}");
        if (RefreshInterval is { } interval)
            sb.AppendLine($"refresh-interval = {(long)interval.TotalMilliseconds}ms");
        if (MaxBufferSize is { } size)
            sb.AppendLine($"max-buffer-size = {size}");
        sb.AppendLine("}");
        return ConfigurationFactory.ParseString(sb.ToString());
    }
}
