using System.Text;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Hosting;

namespace Akka.Persistence.MiniStore.Hosting;

/// <summary>
/// The MiniStore journal configured in code: becomes the <c>akka.persistence.journal.&lt;Identifier&gt;</c> HOCON
/// section (reference.conf gives every value not set here).
/// </summary>
public sealed class MiniStoreJournalOptions : JournalOptions
{
    private static readonly Config Default = MiniStorePersistence.DefaultConfiguration().GetConfig(MiniStorePersistence.JournalConfigPath);

    public MiniStoreJournalOptions() : this(true) { }

    public MiniStoreJournalOptions(bool isDefaultPlugin, string identifier = "ministore") : base(isDefaultPlugin)
    {
        Identifier = identifier;
    }

    /// <summary>The plugin id: the journal is <c>akka.persistence.journal.&lt;Identifier&gt;</c>. <b>Default</b>: <c>"ministore"</c>.</summary>
    public override string Identifier { get; set; }

    /// <summary>Directory holding one log per persistence id. <b>Default</b>: <c>ministore/journal</c> under the working directory.</summary>
    public string? Directory { get; set; }

    /// <summary>Largest single event record in bytes. <b>Default</b>: 16 MiB.</summary>
    public long? MaxRecordSize { get; set; }

    /// <summary>Unix permissions of the log files this journal creates. <b>Default</b>: 0600.</summary>
    public UnixFileMode? FileMode { get; set; }

    /// <summary>Unix permissions of the directory when this journal creates it. <b>Default</b>: 0700.</summary>
    public UnixFileMode? DirectoryMode { get; set; }

    /// <summary>The read journal over this journal (<c>akka.persistence.query.journal.&lt;Identifier&gt;</c>).</summary>
    public MiniStoreQueryOptions Query { get; set; } = new();

    protected override Config InternalDefaultConfig => Default;

    protected override StringBuilder Build(StringBuilder sb)
    {
        MiniStoreHocon.AppendStoreSettings(sb, Directory, MaxRecordSize, FileMode, DirectoryMode);
        return base.Build(sb);
    }
}
