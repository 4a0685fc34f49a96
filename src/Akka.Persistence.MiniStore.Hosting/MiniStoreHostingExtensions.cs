using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Hosting;

namespace Akka.Persistence.MiniStore.Hosting;

/// <summary>Akka.Hosting extensions that add MiniStore persistence to an <see cref="ActorSystem"/>.</summary>
public static class MiniStoreHostingExtensions
{
    /// <summary>
    /// Adds the MiniStore journal and/or snapshot store, storing under <paramref name="directory"/>: events in
    /// <c>directory/journal</c>, snapshots in <c>directory/snapshots</c>.
    /// <code>
    /// builder.WithMiniStorePersistence("/var/lib/app/store",
    ///     journalBuilder: j => j.AddWriteEventAdapter&lt;MyAdapter&gt;("my", [typeof(MyEvent)]).WithHealthCheck(HealthStatus.Unhealthy),
    ///     snapshotBuilder: s => s.WithHealthCheck(HealthStatus.Unhealthy));
    /// </code>
    /// </summary>
    /// <param name="builder">The builder instance being configured.</param>
    /// <param name="directory">Root directory of the store; created on start if missing.</param>
    /// <param name="mode">Which of journal and snapshot store to add. <b>Default</b>: both.</param>
    /// <param name="journalBuilder">Adds event adapters and health checks to the journal.</param>
    /// <param name="snapshotBuilder">Adds health checks to the snapshot store.</param>
    /// <param name="pluginIdentifier">Plugin id of both: <c>akka.persistence.journal.&lt;id&gt;</c>. <b>Default</b>: <c>"ministore"</c>.</param>
    /// <param name="isDefaultPlugin">Make them the system's default journal and snapshot store. <b>Default</b>: true.</param>
    /// <param name="queryOptions">Settings of the read journal <c>akka.persistence.query.journal.&lt;pluginIdentifier&gt;</c> over this journal.</param>
    public static AkkaConfigurationBuilder WithMiniStorePersistence(
        this AkkaConfigurationBuilder builder,
        string directory,
        PersistenceMode mode = PersistenceMode.Both,
        Action<AkkaPersistenceJournalBuilder>? journalBuilder = null,
        Action<AkkaPersistenceSnapshotBuilder>? snapshotBuilder = null,
        string pluginIdentifier = "ministore",
        bool isDefaultPlugin = true,
        Action<MiniStoreQueryOptions>? queryOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (mode == PersistenceMode.SnapshotStore && journalBuilder is not null)
            throw new ArgumentException($"{nameof(journalBuilder)} can only be set when {nameof(mode)} is {PersistenceMode.Both} or {PersistenceMode.Journal}", nameof(journalBuilder));
        if (mode == PersistenceMode.Journal && snapshotBuilder is not null)
            throw new ArgumentException($"{nameof(snapshotBuilder)} can only be set when {nameof(mode)} is {PersistenceMode.Both} or {PersistenceMode.SnapshotStore}", nameof(snapshotBuilder));

        var journal = new MiniStoreJournalOptions(isDefaultPlugin, pluginIdentifier) { Directory = Path.Combine(directory, "journal") };
        queryOptions?.Invoke(journal.Query);
        var snapshots = new MiniStoreSnapshotOptions(isDefaultPlugin, pluginIdentifier) { Directory = Path.Combine(directory, "snapshots") };
        return mode switch
        {
            PersistenceMode.Both => builder.WithMiniStorePersistence(journal, snapshots, journalBuilder, snapshotBuilder),
            PersistenceMode.Journal => builder.WithMiniStorePersistence(journal, null, journalBuilder),
            PersistenceMode.SnapshotStore => builder.WithMiniStorePersistence(null, snapshots, null, snapshotBuilder),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Invalid PersistenceMode"),
        };
    }

    /// <summary>Adds the MiniStore journal and/or snapshot store from options objects; at least one must be given.</summary>
    public static AkkaConfigurationBuilder WithMiniStorePersistence(
        this AkkaConfigurationBuilder builder,
        MiniStoreJournalOptions? journalOptions,
        MiniStoreSnapshotOptions? snapshotOptions,
        Action<AkkaPersistenceJournalBuilder>? journalBuilder = null,
        Action<AkkaPersistenceSnapshotBuilder>? snapshotBuilder = null)
    {
        if (journalOptions is not null)
            builder.AddHocon(journalOptions.Query.ToConfig(journalOptions.Identifier), HoconAddMode.Prepend);
        return (journalOptions, snapshotOptions) switch
        {
            (null, null) => throw new ArgumentException($"{nameof(journalOptions)} and {nameof(snapshotOptions)} cannot both be null"),
            (not null, null) => builder.WithJournal(journalOptions, journalBuilder),
            (null, not null) => builder.WithSnapshot(snapshotOptions, snapshotBuilder),
            (not null, not null) => builder.WithJournalAndSnapshot(journalOptions, snapshotOptions, journalBuilder, snapshotBuilder),
        };
    }
}
