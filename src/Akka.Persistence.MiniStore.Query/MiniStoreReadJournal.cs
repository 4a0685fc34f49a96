using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Storage;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;

namespace Akka.Persistence.MiniStore.Query;

/// <summary>
/// Akka.Persistence.Query over a MiniStore journal:
/// <code>var queries = PersistenceQuery.Get(system).ReadJournalFor&lt;MiniStoreReadJournal&gt;(MiniStoreReadJournal.Identifier);</code>
/// Queries by persistence id read that id's log; queries by tag and of all events, and the persistence id queries,
/// read the journal's event index. Tag and all-events offsets are <see cref="Sequence"/> orderings, stored in each
/// event record: a projection that stores the offset of the last envelope it handled and starts again from it sees
/// every later event exactly once, across restarts of the writer and of itself. Live queries are woken by the journal
/// when it runs in the same actor system, and otherwise poll every refresh-interval.
/// </summary>
public sealed class MiniStoreReadJournal :
    IEventsByPersistenceIdQuery, ICurrentEventsByPersistenceIdQuery,
    IPersistenceIdsQuery, ICurrentPersistenceIdsQuery,
    IEventsByTagQuery, ICurrentEventsByTagQuery,
    IAllEventsQuery, ICurrentAllEventsQuery
{
    /// <summary>The read journal's configuration path, to pass to <c>ReadJournalFor</c>.</summary>
    public const string Identifier = "akka.persistence.query.journal.ministore";

    private readonly ReadJournalSettings _settings;
    private readonly StoredEvents _events;

    public MiniStoreReadJournal(ExtendedActorSystem system, Config config)
    {
        var defaults = MiniStorePersistence.DefaultConfiguration();
        _settings = ReadJournalSettings.Create(config.WithFallback(defaults.GetConfig(Identifier)), system.Settings.Config);

        // The journal's own settings say where its files are and how long its lines may be: its section, then the
        // long section, as the journal reads them under whichever id it was started.
        Config journalConfig = _settings.WritePlugin.Length > 0
            ? (system.Settings.Config.GetConfig(_settings.WritePlugin) ?? Config.Empty).WithFallback(system.Settings.Config.GetConfig(MiniStorePersistence.JournalConfigPath) ?? Config.Empty)
            : Config.Empty;
        if (config.GetString("directory", "") is { Length: > 0 } directory)
            journalConfig = ConfigurationFactory.ParseString($"directory = {System.Text.Json.JsonSerializer.Serialize(directory)}").WithFallback(journalConfig);
        var journal = MiniStoreSettings.Create(journalConfig.WithFallback(defaults.GetConfig(MiniStorePersistence.JournalConfigPath)), MiniStorePersistence.JournalConfigPath);

        bool journalInThisSystem = _settings.WritePlugin.Length > 0;
        EventAdapters? adapters = null;
        if (journalInThisSystem)
        {
            var persistence = Persistence.Instance.Apply(system);
            persistence.JournalFor(_settings.WritePlugin); // started now, so that it catches its index up with the logs
            adapters = persistence.AdaptersFor(_settings.WritePlugin);
        }
        _events = new StoredEvents(system, journal.Directory, journal.ToLogOptions(system), adapters, journalInThisSystem);
    }

    public Source<EventEnvelope, NotUsed> EventsByPersistenceId(string persistenceId, long fromSequenceNr, long toSequenceNr) =>
        ByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, live: true);

    public Source<EventEnvelope, NotUsed> CurrentEventsByPersistenceId(string persistenceId, long fromSequenceNr, long toSequenceNr) =>
        ByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, live: false);

    public Source<string, NotUsed> PersistenceIds() => PersistenceIdsSource(live: true);

    public Source<string, NotUsed> CurrentPersistenceIds() => PersistenceIdsSource(live: false);

    /// <summary>Events tagged <paramref name="tag"/>, in the order stored, after <paramref name="offset"/> (<see cref="NoOffset"/> or a <see cref="Sequence"/> from an earlier envelope), then each new one as it is stored.</summary>
    public Source<EventEnvelope, NotUsed> EventsByTag(string tag, Offset offset) => Indexed(entry => entry.HasTag(tag), offset, live: true);

    public Source<EventEnvelope, NotUsed> CurrentEventsByTag(string tag, Offset offset) => Indexed(entry => entry.HasTag(tag), offset, live: false);

    public Source<EventEnvelope, NotUsed> AllEvents(Offset offset) => Indexed(_ => true, offset, live: true);

    public Source<EventEnvelope, NotUsed> CurrentAllEvents(Offset offset) => Indexed(_ => true, offset, live: false);

    private Source<EventEnvelope, NotUsed> ByPersistenceId(string persistenceId, long fromSequenceNr, long toSequenceNr, bool live)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return ChunkedSource.Create<EventEnvelope>(
            () => new PersistenceIdEventsReader(_events, persistenceId, Math.Max(1, fromSequenceNr), toSequenceNr, _settings.MaxBufferSize, current: !live).ReadAsync,
            _events, _settings.RefreshInterval);
    }

    private Source<string, NotUsed> PersistenceIdsSource(bool live) =>
        ChunkedSource.Create<string>(() => new PersistenceIdsReader(_events, _settings.MaxBufferSize, current: !live).ReadAsync, _events, _settings.RefreshInterval);

    private Source<EventEnvelope, NotUsed> Indexed(Func<IndexEntry, bool> wanted, Offset offset, bool live)
    {
        long after = offset switch
        {
            null or NoOffset => 0,
            Sequence sequence => sequence.Value,
            _ => throw new ArgumentException($"MiniStore queries take NoOffset or Offset.Sequence(ordering), not {offset.GetType().Name}", nameof(offset)),
        };
        return ChunkedSource.Create<EventEnvelope>(
            () => new IndexedEventsReader(_events, wanted, after, _settings.MaxBufferSize, current: !live).ReadAsync,
            _events, _settings.RefreshInterval);
    }
}

/// <summary>Creates the <see cref="MiniStoreReadJournal"/>; named by <c>class</c> in the read journal's configuration.</summary>
public sealed class MiniStoreReadJournalProvider(ExtendedActorSystem system, Config config) : IReadJournalProvider
{
    private readonly Lazy<MiniStoreReadJournal> _journal = new(() => new MiniStoreReadJournal(system, config));

    public IReadJournal GetReadJournal() => _journal.Value;
}
