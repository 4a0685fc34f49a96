using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace MiniStore.Cli.Migration;

/// <summary>The tags of replayed events, from the same journal's read side (<c>CurrentEventsByPersistenceId</c>).</summary>
internal sealed class ReadJournalTags(ICurrentEventsByPersistenceIdQuery query, string readJournalId, IMaterializer materializer)
{
    /// <summary>
    /// Tags by sequence number for the events of <paramref name="chunk"/> (one id, consecutive). The read side must list
    /// exactly the replayed sequence numbers, each once: if it does not, tags would be guessed, so the import stops instead, with
    /// an <see cref="InvalidDataException"/> (not a <see cref="MigrationException"/>: a retry would only meet it again).
    /// </summary>
    public async Task<IReadOnlyDictionary<long, string[]>> OfAsync(IReadOnlyList<IPersistentRepresentation> chunk, CancellationToken cancellationToken)
    {
        string pid = chunk[0].PersistenceId;
        long first = chunk[0].SequenceNr, last = chunk[^1].SequenceNr;
        var envelopes = await query.CurrentEventsByPersistenceId(pid, first, last)
            .RunAggregate(new List<EventEnvelope>(), (list, e) => { list.Add(e); return list; }, materializer)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        var tags = new Dictionary<long, string[]>(envelopes.Count);
        foreach (var e in envelopes)
            if (!tags.TryAdd(e.SequenceNr, e.Tags ?? []))
                throw new InvalidDataException($"'{pid}': the read journal '{readJournalId}' lists event {e.SequenceNr} twice in {first}..{last}; its tags cannot be matched");
        var missing = chunk.Select(e => e.SequenceNr).Where(s => !tags.ContainsKey(s)).ToList();
        if (missing.Count > 0 || tags.Count != chunk.Count)
            throw new InvalidDataException($"'{pid}': the read journal '{readJournalId}' lists {tags.Count} events in {first}..{last}, the journal replayed {chunk.Count}" +
                                         (missing.Count > 0 ? $" (missing on the read side: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : "")})" : "") +
                                         "; their tags cannot be matched");
        return tags;
    }
}
