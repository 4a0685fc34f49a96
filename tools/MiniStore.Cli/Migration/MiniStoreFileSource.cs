using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Journal;
using Akka.Persistence.MiniStore.Serialization;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Migration;

/// <summary>
/// Export's source: the store's logs read as the journal reads them, skipping deleted events. Read from the files rather
/// than replayed through the journal because a replay does not give an event's tags back; here they come back as
/// <see cref="Tagged"/>, which every journal that supports tags unwraps when it writes.
/// </summary>
internal sealed class MiniStoreFileSource(IReadOnlyDictionary<string, JournalLog> logs, ActorSystem system) : IEventSource
{
    private readonly PayloadSerializer _serializer = new(system);

    public async IAsyncEnumerable<IPersistentRepresentation> EventsAfterAsync(string persistenceId, long afterSequenceNr, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var log = logs[persistenceId];
        long skipTo = Math.Max(afterSequenceNr, log.DeletedTo);
        await foreach (var record in MiniStoreLog.ReadAsync(log.Path, LogScanner.ReadOptions, cancellationToken).ConfigureAwait(false))
        {
            var e = EventRecord.Read(record, log.Path);
            if (e.SequenceNr <= skipTo)
                continue;
            var persistent = e.ToPersistent(_serializer, log.Path, record);
            yield return e.Tags.Count == 0 ? persistent : persistent.WithPayload(new Tagged(persistent.Payload, e.Tags));
        }
    }

    public static async Task<MiniStoreFileSource> OpenAsync(StoreLayout layout, ActorSystem system, TextWriter progressOutput, CancellationToken cancellationToken)
    {
        var scanned = await StoreScan.ScanAsync(layout, progressOutput, cancellationToken).ConfigureAwait(false);
        var damaged = scanned.Where(l => l.IsDamaged).ToList();
        if (damaged.Count > 0)
            throw new MigrationException("the store has damaged logs; run `ministore verify` and `ministore repair` first:\n" +
                string.Join("\n", damaged.SelectMany(l => l.Problems).Select(p => "  " + p)));
        var logs = scanned.Where(l => l.PersistenceId is not null).ToDictionary(l => l.PersistenceId!);
        return new MiniStoreFileSource(logs, system);
    }

    public IEnumerable<string> PersistenceIds => logs.Keys.Order(StringComparer.Ordinal);
}
