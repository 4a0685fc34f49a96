using System.Text.Json;
using MiniStore;

namespace Akka.Persistence.MiniStore.Storage;

/// <summary>
/// How far a shipper (Akka.Persistence.MiniStore.Shipping) has delivered the store to one target: a position log,
/// <c>&lt;store&gt;/shipping/&lt;name&gt;.jsonl</c> by default (<see cref="StoreLayout.ShippingPosition"/>), one
/// fsync'd line per delivery:
/// <code>{"ord":1200,"seq":{"sensor-1":42,"sensor-2":17},"snap":{"sensor-1":40}}</code>
/// <c>ord</c>: every event of the event index up to this ordering has been delivered; <c>seq</c>: per persistence
/// id, the highest sequence number the target acknowledged; <c>snap</c>: per persistence id, the sequence number of
/// the last snapshot delivered. A line lists only the ids it changes; for each id the last line naming it holds, so
/// a rewrite of the whole state at the end of the log (then its prefix dropped) changes nothing.
/// The journal reads these logs before it compacts a log: events a shipper has not delivered are kept (docs/SHIPPING.md).
/// </summary>
public sealed class ShippedPositions
{
    public const string OrderingField = "ord";
    public const string EventsField = "seq";
    public const string SnapshotsField = "snap";

    public long Ordering { get; private set; }
    public Dictionary<string, long> Events { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Snapshots { get; } = new(StringComparer.Ordinal);

    /// <summary>The highest sequence number of <paramref name="persistenceId"/> delivered (0 when none).</summary>
    public long EventsOf(string persistenceId) => Events.TryGetValue(persistenceId, out long seq) ? seq : 0;

    /// <summary>Reads a position log whole (an empty state when there is none); opening needs no write permission.</summary>
    public static ShippedPositions Read(string path, MiniStoreOptions? options = null)
    {
        var positions = new ShippedPositions();
        if (!MiniStoreLog.Exists(path))
            return positions;
        using var log = MiniStoreLog.Open(path, options, readOnly: true);
        foreach (var line in log.Read())
            positions.Apply(line, path);
        return positions;
    }

    /// <summary>Folds one line of a position log into this state.</summary>
    public void Apply(in LogRecord line, string path)
    {
        try
        {
            using var json = JsonDocument.Parse(line.Json);
            var root = json.RootElement;
            if (root.TryGetProperty(OrderingField, out var ordering))
                Ordering = ordering.GetInt64();
            if (root.TryGetProperty(EventsField, out var events))
                foreach (var id in events.EnumerateObject())
                    Events[id.Name] = id.Value.GetInt64();
            if (root.TryGetProperty(SnapshotsField, out var snapshots))
                foreach (var id in snapshots.EnumerateObject())
                    Snapshots[id.Name] = id.Value.GetInt64();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CorruptLogException(path, line.LineNumber, line.Offset, $"shipping position is not readable: {e.Message}");
        }
    }

    /// <summary>Applies a delivery as its line would (<see cref="Line"/>), without reading it back.</summary>
    public void Apply(long ordering, IEnumerable<KeyValuePair<string, long>> events, IEnumerable<KeyValuePair<string, long>> snapshots)
    {
        Ordering = ordering;
        foreach (var (id, seq) in events)
            Events[id] = seq;
        foreach (var (id, seq) in snapshots)
            Snapshots[id] = seq;
    }

    /// <summary>One line of a position log: the ordering delivered and the ids whose positions changed.</summary>
    public static byte[] Line(long ordering, IEnumerable<KeyValuePair<string, long>> events, IEnumerable<KeyValuePair<string, long>> snapshots)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber(OrderingField, ordering);
            WriteIds(writer, EventsField, events);
            WriteIds(writer, SnapshotsField, snapshots);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteIds(Utf8JsonWriter writer, string field, IEnumerable<KeyValuePair<string, long>> ids)
    {
        bool started = false;
        foreach (var (id, seq) in ids)
        {
            if (!started)
                writer.WriteStartObject(field);
            started = true;
            writer.WriteNumber(id, seq);
        }
        if (started)
            writer.WriteEndObject();
    }

    /// <summary>
    /// The highest sequence number of <paramref name="persistenceId"/> that every shipper of the store delivered: the
    /// minimum over the position logs in <see cref="StoreLayout.ShippingDirectory"/> (0 for a log that lacks the id),
    /// or null when the store is not shipped (no position log). The journal's compaction keeps the events above it.
    /// </summary>
    public static long? DeliveredByAll(StoreLayout layout, string persistenceId, MiniStoreOptions? options = null)
    {
        long? delivered = null;
        foreach (var path in layout.ShippingPositions())
        {
            long seq = Read(path, options).EventsOf(persistenceId);
            delivered = delivered is { } d ? Math.Min(d, seq) : seq;
        }
        return delivered;
    }
}
