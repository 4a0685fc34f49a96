namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>Where a shipper stands.</summary>
public enum ShippingState
{
    /// <summary>Not started, or opening its position and reconciling it with the target.</summary>
    Starting,
    /// <summary>Shipping a backlog.</summary>
    Shipping,
    /// <summary>Every event indexed so far is shipped; waiting for new ones.</summary>
    CaughtUp,
    /// <summary>The target did not store the last attempt (unreachable, failing); retrying with backoff. The application keeps storing locally.</summary>
    TargetUnavailable,
    /// <summary>Shipping stopped on a problem that needs someone (see <see cref="ShippingStatus.Problem"/>); nothing is skipped.</summary>
    Halted,
    /// <summary>The shipper was stopped.</summary>
    Stopped,
}

/// <summary>A shipper's state, backlog and totals, as the health check and the metrics report them.</summary>
/// <param name="BacklogEvents">Events in the event index after the last one shipped.</param>
/// <param name="BacklogBytes">Bytes of their event records (the logs' length after what each persistence id has shipped).</param>
/// <param name="Lag">Age of the oldest event not yet shipped when measured (<paramref name="MeasuredAt"/>); zero when caught up. <see cref="CurrentLag"/> is its age now.</param>
/// <param name="UnavailableSince">When the current outage started (null when the target answers).</param>
/// <param name="Problem">Why the target is unavailable, or why shipping halted.</param>
public sealed record ShippingStatus(
    ShippingState State,
    long BacklogEvents,
    long BacklogBytes,
    TimeSpan Lag,
    long ShippedEvents,
    long ShippedSnapshots,
    DateTime? UnavailableSince,
    string? Problem,
    DateTime MeasuredAt)
{
    public static readonly ShippingStatus Initial = new(ShippingState.Starting, 0, 0, TimeSpan.Zero, 0, 0, null, null, DateTime.UtcNow);

    /// <summary>The age of the oldest event not yet shipped, now: the backlog is measured at most once a second, and not while waiting out a backoff.</summary>
    public TimeSpan CurrentLag => BacklogEvents > 0 ? Lag + (DateTime.UtcNow - MeasuredAt) : TimeSpan.Zero;
}

/// <summary>What one run of a shipper did (a one-shot run returns it once caught up).</summary>
public sealed record ShippingSummary(long Events, long Bytes, long Snapshots, int PersistenceIds, long Ordering, TimeSpan Elapsed)
{
    public double EventsPerSecond => Events / Math.Max(Elapsed.TotalSeconds, 1e-3);
}
