using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Migration;

/// <summary>
/// Export's source: the store's logs read as the journal reads them (<see cref="EventLogCheck"/>), skipping deleted
/// events. Read from the files rather than replayed through the journal because a replay does not give an event's
/// tags back; here they come back as <see cref="Tagged"/>, which every journal that supports tags unwraps when it writes.
/// </summary>
internal sealed class MiniStoreFileSource(IReadOnlyDictionary<string, JournalLog> logs, ActorSystem system) : IEventSource
{
    private readonly PayloadSerializer _serializer = new(system);

    public async IAsyncEnumerable<IPersistentRepresentation> EventsAfterAsync(string persistenceId, long afterSequenceNr, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var log = logs[persistenceId];
        if (log.Events is null)
            yield break; // every event was deleted and the log removed; the id's snapshot is still copied
        long skipTo = Math.Max(afterSequenceNr, log.DeletedTo);
        using var file = MiniStoreLog.Open(log.Path, LogScanner.ReadOptions, readOnly: true);
        var check = new EventLogCheck(log.Path, persistenceId);
        foreach (var record in file.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Records passed over are checked by their leading fields only, as the journal's replay does.
            if (EventRecord.PeekSequenceNr(record.Json.Span, persistenceId) <= skipTo)
            {
                check.Skip(record);
                continue;
            }
            var e = check.Read(record);
            if (e.SequenceNr <= skipTo)
                continue;
            var persistent = e.ToPersistent(_serializer, log.Path, record);
            yield return e.Tags.Count == 0 ? persistent : persistent.WithPayload(new Tagged(persistent.Payload, e.Tags));
        }
    }

    /// <summary>The store's ids, once a scan found no damage and no lost events (torn tails are not read, so they do not matter).</summary>
    public static MiniStoreFileSource Open(StoreLayout layout, ActorSystem system, TextWriter progressOutput)
    {
        var scan = StoreScan.Run(layout, progressOutput);
        var damaged = scan.Logs.Where(l => l.IsDamaged).ToList();
        if (damaged.Count > 0)
            throw new MigrationException($"{damaged.Count} persistence ids of the store hold damage or lost events; run `ministore verify` first. The first problem: " +
                                        damaged[0].Problems.First(p => p.IsDamage));
        var logs = scan.Logs.Where(l => l.PersistenceId is not null).ToDictionary(l => l.PersistenceId!);
        return new MiniStoreFileSource(logs, system);
    }

    public IEnumerable<string> PersistenceIds => logs.Keys.Order(StringComparer.Ordinal);
}
