using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>Akka.Hosting: ship the application's MiniStore store to a central journal while the application runs.</summary>
public static class ShippingHostingExtensions
{
    /// <summary>
    /// Ships every event (with its tags, manifest and original timestamp) and every snapshot the MiniStore journal
    /// <paramref name="journalPluginId"/> (default: the system's default journal) stores into the target journal (and snapshot store) that
    /// <paramref name="configure"/> names, as soon as each is stored, exactly once and in order, resuming after any
    /// failure; the application never waits for it. The target plugins are configured as usual, or given here as
    /// <paramref name="targetHocon"/>:
    /// <code>
    /// builder.WithMiniStorePersistence("/var/lib/app/store")
    ///        .WithMiniStoreShipping(o =>
    ///        {
    ///            o.TargetJournalPluginId = "akka.persistence.journal.sql";
    ///            o.TargetSnapshotPluginId = "akka.persistence.snapshot-store.sql";
    ///        }, targetHocon: File.ReadAllText("central.conf"));
    /// </code>
    /// A health check named <c>ministore-shipping-&lt;name&gt;</c> reports the backlog (Degraded past
    /// <see cref="ShippingOptions.DegradedLag"/>); the meter "Akka.Persistence.MiniStore" carries
    /// <c>ministore.shipping.*</c>. The position log is <c>&lt;store&gt;/shipping/&lt;name&gt;.jsonl</c>.
    /// <para>
    /// <paramref name="targetHocon"/> may be the very file <c>ministore ship --to</c> takes: its
    /// <c>akka.persistence.journal.plugin</c> and <c>snapshot-store.plugin</c> lines name the targets when the options
    /// do not, and never replace the application's own default journal (the file is added as a fallback).
    /// </para>
    /// </summary>
    public static AkkaConfigurationBuilder WithMiniStoreShipping(
        this AkkaConfigurationBuilder builder,
        Action<ShippingOptions> configure,
        string? targetHocon = null,
        string? journalPluginId = null,
        string? snapshotPluginId = null,
        bool healthCheck = true,
        IEnumerable<string>? healthCheckTags = null)
    {
        var options = new ShippingOptions();
        configure(options);
        if (!string.IsNullOrWhiteSpace(targetHocon))
        {
            var target = ConfigurationFactory.ParseString(targetHocon);
            if (string.IsNullOrEmpty(options.TargetJournalPluginId))
                options.TargetJournalPluginId = target.GetString("akka.persistence.journal.plugin", "");
            if (options.TargetSnapshotPluginId is null && target.GetString("akka.persistence.snapshot-store.plugin", "") is { Length: > 0 } snapshots)
                options.TargetSnapshotPluginId = snapshots;
            // A fallback: the target's "plugin" lines name the targets above, not the application's default journal.
            builder.AddHocon(target, HoconAddMode.Append);
        }
        options.Validate();
        builder.AddStartup((system, _) => MiniStoreShipping.Get(system).Start(options, journalPluginId, snapshotPluginId));
        if (healthCheck)
            builder.WithHealthCheck(new AkkaHealthCheckRegistration($"ministore-shipping-{options.EffectiveName}", new ShippingHealthCheck(options.EffectiveName),
                HealthStatus.Unhealthy, healthCheckTags ?? ["akka", "persistence", "ministore", "shipping"]));
        return builder;
    }
}
