using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace MiniStore.Benchmarks;

/// <summary>
/// Akka's in-memory journal holding, from its start, the fleet that <see cref="StartupScenario"/> recovers
/// (<c>seed-actors</c> ids "fleet-N" with <c>seed-events</c> events each): its data cannot outlive a process, so the
/// start-up child gets it this way. Seeding costs the in-memory journal a few ms of its start-up (a handicap that
/// favours it over the journals that read their files).
/// </summary>
internal sealed class SeededMemoryJournal : MemoryJournal
{
    public SeededMemoryJournal(Config config)
    {
        int actors = config.GetInt("seed-actors"), events = config.GetInt("seed-events");
        var writes = Enumerable.Range(0, actors).Select(a => new AtomicWrite(Enumerable.Range(1, events)
            .Select(n => (IPersistentRepresentation)new Persistent(new Stored(n), n, $"fleet-{a}")).ToImmutableList())).ToList();
        WriteMessagesAsync(writes, CancellationToken.None).GetAwaiter().GetResult();
    }
}
