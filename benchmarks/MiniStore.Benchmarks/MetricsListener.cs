using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.Persistence.MiniStore;

namespace MiniStore.Benchmarks;

/// <summary>
/// A listener on the plugin's meter that does what an OpenTelemetry SDK does with it: every instrument of
/// <see cref="MiniStoreMetrics.MeterName"/> enabled, each measurement aggregated in place per instrument and tag set
/// (counters summed; histograms counted, summed, min/max and explicit buckets, OpenTelemetry's default boundaries;
/// looked up without allocating, as the SDK does), and the observable gauges collected every second (the SDK's default
/// export interval is 60 s, so this costs more than it would). Nothing is exported: the cost measured is the plugin's
/// instruments plus the aggregation.
/// </summary>
internal sealed class MetricsListener : IDisposable
{
    private static readonly double[] SecondsBoundaries = [0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly double[] DefaultBoundaries = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<SeriesKey, Series> _series = new();
    private readonly Timer _collect;

    public MetricsListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MiniStoreMetrics.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => SeriesOf(instrument, tags).Add(value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => SeriesOf(instrument, tags).Add(value));
        _listener.Start();
        _collect = new Timer(_ => _listener.RecordObservableInstruments(), null, 1000, 1000);
    }

    /// <summary>The sum of an instrument's measurements over all its tag sets (a histogram's: of the values recorded).</summary>
    public double Sum(string instrument) => _series.Where(s => s.Key.Instrument.Name == instrument).Sum(s => s.Value.Sum);

    /// <summary>How many measurements an instrument took (for a histogram: its count).</summary>
    public long Count(string instrument) => _series.Where(s => s.Key.Instrument.Name == instrument).Sum(s => s.Value.Count);

    private Series SeriesOf(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // The plugin tags with at most two pairs; their keys and values are the same string instances every time.
        var key = new SeriesKey(instrument, tags.Length > 0 ? tags[0].Value : null, tags.Length > 1 ? tags[1].Value : null, tags.Length > 2 ? tags[2].Value : null);
        return _series.TryGetValue(key, out var series) ? series : _series.GetOrAdd(key, k => new Series(k.Instrument is Histogram<double> or Histogram<long>
            ? (k.Instrument.Unit == "s" ? SecondsBoundaries : DefaultBoundaries) : null));
    }

    public void Dispose()
    {
        _collect.Dispose();
        _listener.Dispose();
    }

    private readonly record struct SeriesKey(Instrument Instrument, object? Tag1, object? Tag2, object? Tag3);

    /// <summary>One instrument's aggregate for one tag set.</summary>
    private sealed class Series(double[]? boundaries)
    {
        private readonly long[]? _buckets = boundaries is null ? null : new long[boundaries.Length + 1];
        private double _min = double.MaxValue, _max = double.MinValue;

        public long Count { get; private set; }
        public double Sum { get; private set; }

        public void Add(double value)
        {
            lock (this)
            {
                Count++;
                Sum += value;
                if (_buckets is null)
                    return;
                _min = Math.Min(_min, value);
                _max = Math.Max(_max, value);
                int bucket = Array.BinarySearch(boundaries!, value);
                _buckets[bucket < 0 ? ~bucket : bucket]++;
            }
        }
    }
}
