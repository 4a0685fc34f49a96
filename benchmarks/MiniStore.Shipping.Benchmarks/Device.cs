using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore;

namespace MiniStore.Shipping.Benchmarks;

public sealed record Reading(string Sensor, long N, string Text);

/// <summary>The application on the device: writers on the MiniStore journal, each persisting tagged readings.</summary>
internal static class Device
{
    public static Config Hocon(string store) => ConfigurationFactory.ParseString($$"""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = ministore
        akka.persistence.snapshot-store.plugin = ministore-snapshots
        akka.persistence.journal.ministore.directory = "{{store}}/journal"
        akka.persistence.snapshot-store.ministore.directory = "{{store}}/snapshots"
        """).WithFallback(MiniStorePersistence.DefaultConfiguration());

    /// <summary>Acknowledgement times (Stopwatch timestamps) of the readings, by persistence id and sequence number.</summary>
    public static readonly ConcurrentDictionary<(string, long), long> Acknowledged = new();
}

/// <summary>
/// Persists one reading each <see cref="Tick"/> (steady load), or back to back while <see cref="Flood"/> is on
/// (the writers' top rate); counts what was acknowledged.
/// </summary>
internal sealed class Writer : ReceivePersistentActor
{
    public sealed class Tick { public static readonly Tick Instance = new(); }
    public sealed record Flood(int Events);
    public static long Written;

    private long _n;
    private int _flooding;
    private readonly bool _recordAcks;

    public Writer(string id, bool recordAcks)
    {
        PersistenceId = id;
        _recordAcks = recordAcks;
        Recover<Reading>(r => _n = r.N);
        Command<Tick>(_ => PersistOne());
        Command<Flood>(f =>
        {
            _flooding = f.Events;
            PersistOne();
        });
    }

    public override string PersistenceId { get; }

    private void PersistOne()
    {
        long n = ++_n;
        Persist(new Tagged(new Reading(PersistenceId, n, "temperature 21.5 C, humidity 40 %"), ["reading", n % 2 == 0 ? "even" : "odd"]), _ =>
        {
            if (_recordAcks)
                Device.Acknowledged[(PersistenceId, n)] = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref Written);
            if (_flooding > 0 && --_flooding > 0)
                PersistOne();
        });
    }
}
