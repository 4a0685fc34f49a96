using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MiniStore;
using Microsoft.Win32.SafeHandles;

namespace Akka.Persistence.MiniStore;

/// <summary>
/// The plugin's instruments, on one <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>:
/// OpenTelemetry takes them with <c>AddMeter("Akka.Persistence.MiniStore")</c>, <c>dotnet-counters monitor
/// --counters Akka.Persistence.MiniStore</c> shows them, with no other code. Every measurement carries the plugin's
/// configuration path as <c>ministore.plugin</c>, never a persistence id (there may be millions). docs/OPERATIONS.md
/// lists every instrument with its unit.
/// </summary>
public static class MiniStoreMetrics
{
    public const string MeterName = "Akka.Persistence.MiniStore";
    public const string PluginTag = "ministore.plugin";

    internal static readonly Meter Meter = new(MeterName, typeof(MiniStoreMetrics).Assembly.GetName().Version?.ToString());
    internal static readonly Counter<long> EventsWritten = Meter.CreateCounter<long>("ministore.events.written", "{event}", "Events durably written (acknowledged).");
    internal static readonly Counter<long> BytesWritten = Meter.CreateCounter<long>("ministore.bytes.written", "By", "Bytes of event records durably written.");
    // Bucket advice (honoured by OpenTelemetry): seconds from 0.1 ms (an NVMe fsync) to 10 s (a dying SD card).
    private static readonly InstrumentAdvice<double> Seconds = new() { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] };
    internal static readonly Histogram<double> FsyncDuration = Meter.CreateHistogram("ministore.fsync.duration", "s", "Duration of each fdatasync of a file or fsync of a directory (ministore.fsync.target); its count is the number of syncs.", advice: Seconds);
    internal static readonly Histogram<long> WriteBatchSize = Meter.CreateHistogram("ministore.write.batch.size", "{event}", "Events written to one log with one write and one fsync.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000] });
    internal static readonly Counter<long> WriteFailures = Meter.CreateCounter<long>("ministore.write.failures", "{failure}", "Writes that failed, by error.type: disk_full, permission, read_only or io.");
    internal static readonly Histogram<double> RecoveryDuration = Meter.CreateHistogram("ministore.recovery.duration", "s", "Time to recover one persistent actor's events: opening its log, its highest sequence number and the replay.", advice: Seconds);
    internal static readonly Counter<long> EventsReplayed = Meter.CreateCounter<long>("ministore.recovery.events", "{event}", "Events replayed to recovering actors.");
    internal static readonly Counter<long> TornTailsRepaired = Meter.CreateCounter<long>("ministore.torn_tails.repaired", "{repair}", "Torn tails (unacknowledged bytes a crash left) cut off a log, their bytes kept in a .broken copy.");
    internal static readonly Counter<long> Compactions = Meter.CreateCounter<long>("ministore.compactions", "{compaction}", "Logs rewritten without their deleted prefix.");
    internal static readonly Counter<long> BytesReclaimed = Meter.CreateCounter<long>("ministore.compaction.reclaimed", "By", "Bytes removed by compactions.");

    private static readonly ConcurrentDictionary<PluginMetrics, byte> Live = new();

    static MiniStoreMetrics()
    {
        Meter.CreateObservableGauge("ministore.logs.open", () => Observe(p => p.OpenLogs?.Invoke()), "{file}", "Log files the journal holds open.");
        Meter.CreateObservableGauge("ministore.writes.queued", () => Observe(p => p.Queued?.Invoke()), "{operation}", "Operations waiting for their persistence id's earlier ones or for a free write thread.");
        Meter.CreateObservableGauge("ministore.store.size", () => Observe(p => p.StoreSize()), "By", "Bytes on disk in the plugin's directory (summed at most every 10 s).");
    }

    private static IEnumerable<Measurement<long>> Observe(Func<PluginMetrics, long?> value)
    {
        foreach (var plugin in Live.Keys)
            if (value(plugin) is { } v)
                yield return new Measurement<long>(v, plugin.Tag);
    }

    internal static void Register(PluginMetrics plugin) => Live.TryAdd(plugin, 0);
    internal static void Unregister(PluginMetrics plugin) => Live.TryRemove(plugin, out _);

    /// <summary>The error.type of a failed write: what an operator would do differs for each.</summary>
    internal static string ErrorType(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            switch (inner)
            {
                case Journal.StoreReadOnlyException: return "read_only";
                case UnauthorizedAccessException: return "permission";
                case IOException { HResult: 28 or 122 }: return "disk_full"; // ENOSPC, EDQUOT
                case IOException { HResult: 1 or 13 }: return "permission";
                case IOException { HResult: 30 }: return "read_only";
            }
        return "io";
    }
}

/// <summary>One plugin's measurements: its tag, and the gauges it answers.</summary>
internal sealed class PluginMetrics : IDisposable
{
    private readonly string _directory;
    private readonly Stopwatch _sinceSized = new();
    private long _size;

    public PluginMetrics(string pluginId, string directory)
    {
        Tag = new KeyValuePair<string, object?>(MiniStoreMetrics.PluginTag, pluginId);
        _directory = directory;
        MiniStoreMetrics.Register(this);
    }

    public KeyValuePair<string, object?> Tag { get; }
    public Func<long>? OpenLogs { get; set; }
    public Func<long>? Queued { get; set; }

    public void Written(int events, long bytes)
    {
        MiniStoreMetrics.EventsWritten.Add(events, Tag);
        MiniStoreMetrics.BytesWritten.Add(bytes, Tag);
        MiniStoreMetrics.WriteBatchSize.Record(events, Tag);
    }

    public void Failed(Exception e) => MiniStoreMetrics.WriteFailures.Add(1, Tag, new KeyValuePair<string, object?>("error.type", MiniStoreMetrics.ErrorType(e)));
    public void Recovered(TimeSpan duration) => MiniStoreMetrics.RecoveryDuration.Record(duration.TotalSeconds, Tag);
    public void Replayed(long events) => MiniStoreMetrics.EventsReplayed.Add(events, Tag);
    public void TornTailRepaired() => MiniStoreMetrics.TornTailsRepaired.Add(1, Tag);

    public void Compacted(long bytes)
    {
        MiniStoreMetrics.Compactions.Add(1, Tag);
        MiniStoreMetrics.BytesReclaimed.Add(bytes, Tag);
    }

    /// <summary>The directory's size, summed again at most every 10 s.</summary>
    public long? StoreSize()
    {
        lock (_sinceSized)
        {
            if (!_sinceSized.IsRunning || _sinceSized.Elapsed > TimeSpan.FromSeconds(10))
            {
                try { _size = Journal.StoreSizeWatch.Size(_directory); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
                _sinceSized.Restart();
            }
            return _size;
        }
    }

    /// <summary>Times every sync the engine makes, then makes it.</summary>
    public IFileSync Measured(IFileSync inner) => new MeasuredSync(inner, this);

    public void Dispose() => MiniStoreMetrics.Unregister(this);

    private sealed class MeasuredSync(IFileSync inner, PluginMetrics metrics) : IFileSync
    {
        private static readonly KeyValuePair<string, object?> File = new("ministore.fsync.target", "file"), Directory = new("ministore.fsync.target", "directory");

        public void SyncFile(SafeFileHandle file)
        {
            long start = Stopwatch.GetTimestamp();
            inner.SyncFile(file);
            MiniStoreMetrics.FsyncDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, metrics.Tag, File);
        }

        public void SyncDirectory(string directory)
        {
            long start = Stopwatch.GetTimestamp();
            inner.SyncDirectory(directory);
            MiniStoreMetrics.FsyncDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, metrics.Tag, Directory);
        }
    }
}
