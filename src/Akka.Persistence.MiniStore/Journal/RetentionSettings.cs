using Akka.Configuration;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// How the journal keeps its directory small (reference.conf): compaction of deleted prefixes and the store-size
/// warning. Compaction runs when the dead prefix is at least <see cref="MinDeadBytes"/> or <see cref="MinDeadRatio"/>
/// of the log, whichever comes first.
/// </summary>
public sealed record RetentionSettings(bool CompactOnDelete, long MinDeadBytes, double MinDeadRatio, long? MaxStoreSize, double StoreSizeWarningRatio)
{
    public static RetentionSettings Create(Config config) => new(
        config.GetBoolean("compact-on-delete", true),
        config.GetByteSize("compact-min-dead-bytes", null) ?? 1024 * 1024,
        config.GetDouble("compact-min-dead-ratio", 0.5),
        config.GetByteSize("max-store-size", null) is { } max && max > 0 ? max : null,
        config.GetDouble("store-size-warning-ratio", 0.9));
}
