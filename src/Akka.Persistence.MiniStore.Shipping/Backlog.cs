using Akka.Persistence.MiniStore.Storage;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// Counts what waits to be shipped without holding it: the event index is read past the shipped ordering once
/// (each entry counted once, however long the outage), and each entry shipped is taken off again. Per persistence id
/// it keeps the count and the first sequence number waiting, from which the bytes behind are the log's length after
/// it. Used by the shipping loop only; it publishes the figures through <see cref="StoreShipper.Status"/>.
/// </summary>
internal sealed class Backlog(StoreReader reader)
{
    private const int ChunkSize = 10_000;

    private readonly Dictionary<string, (long Count, long FirstSequenceNr)> _perId = new(StringComparer.Ordinal);
    private long _countedTo;
    private (long Ordering, long Timestamp) _oldest;

    public long Events { get; private set; }
    public long Bytes { get; private set; }
    public TimeSpan Lag { get; private set; }

    /// <summary>Counts index entries stored since the last count, then measures bytes and lag.</summary>
    public void Update(long shippedOrdering)
    {
        if (_countedTo < shippedOrdering)
        {
            // Shipping ran ahead of the count: everything counted is shipped.
            (_countedTo, Events) = (shippedOrdering, 0);
            _perId.Clear();
        }
        while (true)
        {
            var entries = reader.IndexAfter(_countedTo, ChunkSize);
            foreach (var entry in entries)
            {
                Events++;
                _perId[entry.PersistenceId] = _perId.TryGetValue(entry.PersistenceId, out var id) ? (id.Count + 1, id.FirstSequenceNr) : (1, entry.SequenceNr);
                _countedTo = entry.Ordering;
            }
            if (entries.Count < ChunkSize)
                break;
        }
        Bytes = _perId.Sum(id => reader.BytesAfter(id.Key, id.Value.FirstSequenceNr - 1));
        Lag = Events == 0 ? TimeSpan.Zero : OldestAge(shippedOrdering);
    }

    /// <summary>Takes shipped (or passed) entries off the count.</summary>
    public void Shipped(IEnumerable<IndexEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Ordering > _countedTo)
                return; // not counted yet (ordering order: neither are those after it)
            Events--;
            if (_perId.TryGetValue(entry.PersistenceId, out var id))
            {
                if (id.Count <= 1)
                    _perId.Remove(entry.PersistenceId);
                else
                    _perId[entry.PersistenceId] = (id.Count - 1, entry.SequenceNr + 1);
            }
        }
    }

    private TimeSpan OldestAge(long shippedOrdering)
    {
        if (reader.IndexAfter(shippedOrdering, 1) is not [var oldest])
            return TimeSpan.Zero;
        if (_oldest.Ordering != oldest.Ordering)
            _oldest = (oldest.Ordering, reader.TimestampOf(oldest.PersistenceId, oldest.SequenceNr) ?? DateTime.UtcNow.Ticks);
        return TimeSpan.FromTicks(Math.Max(0, DateTime.UtcNow.Ticks - _oldest.Timestamp));
    }
}
