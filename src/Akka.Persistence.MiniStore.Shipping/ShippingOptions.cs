namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// What a <see cref="StoreShipper"/> ships where, and how it behaves when the target is away. The target plugins are
/// configured in the shipper's actor system (HOCON, or Akka.Hosting); only their plugin ids are given here.
/// </summary>
public sealed class ShippingOptions
{
    /// <summary>The target journal's plugin id, e.g. <c>akka.persistence.journal.sql</c>. Required.</summary>
    public string TargetJournalPluginId { get; set; } = "";

    /// <summary>The target snapshot store's plugin id; null ships no snapshots.</summary>
    public string? TargetSnapshotPluginId { get; set; }

    /// <summary>
    /// The shipper's name: its position log is <c>&lt;store&gt;/shipping/&lt;Name&gt;.jsonl</c> unless
    /// <see cref="PositionPath"/> says otherwise. One name per target. <b>Default</b>: the last part of the target
    /// journal's plugin id (<c>sql</c> for <c>akka.persistence.journal.sql</c>).
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// Where the position log lives, when not in the store's <c>shipping/</c> directory (for a shipper that may not
    /// write there). The journal's compaction only waits for shippers whose position log is in <c>shipping/</c>.
    /// </summary>
    public string? PositionPath { get; set; }

    /// <summary>
    /// Most events per write to the target. A catch-up is faster in large writes (each id's log is opened once per
    /// write: 5000 shipped 1.3-1.9x faster than 1000 in the benchmark); while following, writes are as small as what
    /// arrived meanwhile. Memory stays bounded by <see cref="MaxBatchBytes"/>. <b>Default</b>: 5000.
    /// </summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>Most bytes of event records per write to the target (at least one event always goes). <b>Default</b>: 4 MiB.</summary>
    public long MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Most events shipped per second (null: as fast as the target takes them). Shipping costs CPU (each event is read,
    /// deserialized and serialized again for the target): on a small board whose writers use every core at times, a
    /// cap keeps the shipper from slowing them, at the price of a backlog during such bursts. <b>Default</b>: null.
    /// </summary>
    public int? MaxEventsPerSecond { get; set; }

    /// <summary>How often the store is looked at for new events when no journal in this actor system signals them. <b>Default</b>: 500 ms.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>First wait after a failed write to the target; it doubles on each failure in a row. <b>Default</b>: 500 ms.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between attempts while the target is away. <b>Default</b>: 30 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The health check reports Degraded once the oldest event not yet shipped is older than this. <b>Default</b>: 60 s.</summary>
    public TimeSpan DegradedLag { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The health check also reports Degraded once this many events wait to be shipped (null: no such limit). <b>Default</b>: null.</summary>
    public long? DegradedBacklog { get; set; }

    /// <summary>
    /// Ship events that were deleted locally (DeleteMessagesTo, e.g. after a snapshot) before the shipper reached them.
    /// The target should hold every acknowledged event, so this is on; off skips events deleted by the time they are
    /// read (the journal's compaction still waits until the shipper has passed them). <b>Default</b>: true.
    /// </summary>
    public bool ShipDeletedEvents { get; set; } = true;

    /// <summary>How often snapshot directories are looked at for new snapshots while following. <b>Default</b>: 5 s.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for one answer of a target plugin; then the attempt counts as failed. <b>Default</b>: 60 s.</summary>
    public TimeSpan AnswerTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A one-shot run (not following) gives up after this many failed attempts in a row. <b>Default</b>: 5.</summary>
    public int OneShotAttempts { get; set; } = 5;

    /// <summary>The position log is rewritten without its history once it grows past this. <b>Default</b>: 1 MiB.</summary>
    public long PositionCompactBytes { get; set; } = 1024 * 1024;

    /// <summary>The name used for the position log, metrics and messages.</summary>
    public string EffectiveName =>
        !string.IsNullOrEmpty(Name) ? Name : TargetJournalPluginId.Split('.', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts ? parts[^1] : "target";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(TargetJournalPluginId))
            throw new ArgumentException("ShippingOptions.TargetJournalPluginId is not set: name the journal plugin to ship to (e.g. akka.persistence.journal.sql)");
        if (TargetJournalPluginId == MiniStorePersistence.JournalConfigPath || TargetJournalPluginId == MiniStorePersistence.JournalId)
            throw new ArgumentException($"ShippingOptions.TargetJournalPluginId is '{TargetJournalPluginId}', the store's own journal: ship to another journal");
        if (EffectiveName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || EffectiveName is "." or "..")
            throw new ArgumentException($"ShippingOptions.Name '{EffectiveName}' cannot name a file");
        if (MaxEventsPerSecond is < 1)
            throw new ArgumentException($"ShippingOptions.MaxEventsPerSecond must be at least 1 (or null), not {MaxEventsPerSecond}");
        if (BatchSize < 1)
            throw new ArgumentException($"ShippingOptions.BatchSize must be at least 1, not {BatchSize}");
        if (MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff)
            throw new ArgumentException($"ShippingOptions: MinBackoff ({MinBackoff}) must be positive and MaxBackoff ({MaxBackoff}) at least MinBackoff");
    }
}
