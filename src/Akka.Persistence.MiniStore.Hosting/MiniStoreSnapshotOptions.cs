using System.Text;
using Akka.Configuration;
using Akka.Persistence.Hosting;

namespace Akka.Persistence.MiniStore.Hosting;

/// <summary>
/// The MiniStore snapshot store configured in code: becomes the <c>akka.persistence.snapshot-store.&lt;Identifier&gt;</c>
/// HOCON section (reference.conf gives every value not set here).
/// </summary>
public sealed class MiniStoreSnapshotOptions : SnapshotOptions
{
    private static readonly Config Default = MiniStorePersistence.DefaultConfiguration().GetConfig(MiniStorePersistence.SnapshotStoreConfigPath);

    public MiniStoreSnapshotOptions() : this(true) { }

    public MiniStoreSnapshotOptions(bool isDefaultPlugin, string identifier = "ministore") : base(isDefaultPlugin)
    {
        Identifier = identifier;
    }

    /// <summary>The plugin id: the store is <c>akka.persistence.snapshot-store.&lt;Identifier&gt;</c>. <b>Default</b>: <c>"ministore"</c>.</summary>
    public override string Identifier { get; set; }

    /// <summary>Directory holding one sub-directory of snapshot files per persistence id. <b>Default</b>: <c>ministore/snapshots</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Largest snapshot in bytes. <b>Default</b>: 64 MiB.</summary>
    public long? MaxRecordSize { get; set; }

    /// <summary>Unix permissions of the snapshot files. <b>Default</b>: 0600.</summary>
    public UnixFileMode? FileMode { get; set; }

    /// <summary>Unix permissions of the directories this store creates. <b>Default</b>: 0700.</summary>
    public UnixFileMode? DirectoryMode { get; set; }

    protected override Config InternalDefaultConfig => Default;

    protected override StringBuilder Build(StringBuilder sb)
    {
        MiniStoreHocon.AppendStoreSettings(sb, Directory, MaxRecordSize, FileMode, DirectoryMode);
        return base.Build(sb);
    }
}
