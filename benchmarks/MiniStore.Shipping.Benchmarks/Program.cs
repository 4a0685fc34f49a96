using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Shipping;
using Akka.Persistence.MiniStore.Storage;
using MiniStore;
using Npgsql;

namespace MiniStore.Shipping.Benchmarks;

/// <summary>
/// Shipping a MiniStore store to Akka.Persistence.Sql on PostgreSQL (started with .ci/postgres unless
/// MINISTORE_TEST_POSTGRES names one):
/// <list type="bullet">
/// <item><c>throughput</c>: a store of 100 ids is shipped one-shot, against an export-equivalent copy (per id, batches of 1000, the CLI export's mechanism).</item>
/// <item><c>steady</c>: 100 writers at 1,000 events/s while the shipper follows in the application: lag from acknowledgement to visible in PostgreSQL (p50, p99).</item>
/// <item><c>writers</c>: the writers' top rate with and without shipping.</item>
/// </list>
/// <c>dotnet run -c Release --project benchmarks/MiniStore.Shipping.Benchmarks [all|throughput|steady|writers] [--seconds N] [--tag-mode TagTable|Csv]</c>
/// </summary>
public static class Program
{
    private const int Ids = 100;

    public static async Task<int> Main(string[] args)
    {
        string mode = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "all";
        int seconds = Option(args, "--seconds", 20);
        string tagMode = OptionText(args, "--tag-mode", "TagTable");
        _batchSize = Option(args, "--batch-size", 5000);
        _maxRate = Option(args, "--max-rate", 0) is > 0 and var rate ? rate : null;
        using var postgres = Postgres.Start();
        Console.WriteLine($"PostgreSQL ready; tag-write-mode = {tagMode}; {Environment.ProcessorCount} cores");
        if (mode is "all" or "throughput")
            await ThroughputAsync(postgres, tagMode, eventsPerId: Option(args, "--events-per-id", 500));
        if (mode is "all" or "steady")
            await SteadyAsync(postgres, tagMode, seconds, rate: Option(args, "--rate", 1000));
        if (mode is "all" or "writers")
            await WritersAsync(postgres, tagMode, Math.Max(5, seconds / 2));
        return 0;
    }

    internal static string SqlTarget(string connectionString, string tagMode) => $$"""
        akka.persistence.journal.central {
          class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
          connection-string = "{{connectionString}}"
          provider-name = "PostgreSQL.15"
          tag-write-mode = {{tagMode}}
        }
        akka.persistence.snapshot-store.central {
          class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
          connection-string = "{{connectionString}}"
          provider-name = "PostgreSQL.15"
        }
        """;

    private static int _batchSize = 5000;
    private static int? _maxRate;

    private static ShippingOptions ShippingOptions() => new()
    {
        BatchSize = _batchSize,
        MaxEventsPerSecond = _maxRate,
        TargetJournalPluginId = "akka.persistence.journal.central",
        TargetSnapshotPluginId = "akka.persistence.snapshot-store.central",
    };

    // ---- throughput: one-shot shipping against an export-equivalent copy --------------------------------------

    private static async Task ThroughputAsync(Postgres postgres, string tagMode, int eventsPerId)
    {
        string store = NewDirectory("throughput");
        var device = ActorSystem.Create("device", Device.Hocon(store));
        var writers = Enumerable.Range(0, Ids).Select(i => device.ActorOf(Props.Create(() => new Writer($"sensor-{i:D3}", false)))).ToList();
        var clock = Stopwatch.StartNew();
        for (int round = 0; round < eventsPerId / 10; round++)
        {
            long target = Interlocked.Read(ref Writer.Written) + Ids * 10;
            foreach (var writer in writers)
                writer.Tell(new Writer.Flood(10));
            while (Interlocked.Read(ref Writer.Written) < target)
                await Task.Delay(5);
        }
        await device.Terminate();
        long events = (long)Ids * eventsPerId;
        Console.WriteLine($"throughput: store of {Ids} ids x {eventsPerId} events = {events} events written in {clock.Elapsed.TotalSeconds:0.0} s");

        // The shipper, one-shot, beside the application.
        string shipDb = postgres.NewDatabase("ship_throughput");
        await WarmUpAsync(shipDb, tagMode);
        await using (var shipper = StandaloneShipper.Start(store, ConfigurationFactory.ParseString(SqlTarget(shipDb, tagMode)), "central", ShippingOptions()))
        {
            var summary = await shipper.RunAsync(follow: false);
            Console.WriteLine($"  shipper (one-shot, ordering order, batches of {_batchSize,4}):     {summary.Events,7} events in {summary.Elapsed.TotalSeconds,6:0.00} s = {summary.EventsPerSecond,7:0} events/s");
        }

        // The export's mechanism: per id, its events read from its log, written in atomic writes of 1000.
        string exportDb = postgres.NewDatabase("export_throughput");
        await WarmUpAsync(exportDb, tagMode);
        var (copied, elapsed) = await ExportEquivalentAsync(store, exportDb, tagMode);
        Console.WriteLine($"  export-equivalent copy (per id, atomic writes of 1000):  {copied,7} events in {elapsed.TotalSeconds,6:0.00} s = {copied / elapsed.TotalSeconds,7:0} events/s");
        Console.WriteLine($"  rows in PostgreSQL: shipped {Count(shipDb) - 300}, exported {Count(exportDb) - 300} (and 300 warm-up rows each)");
    }

    /// <summary>Creates the tables and runs the plugin's first queries, so that neither side's time includes them.</summary>
    private static async Task WarmUpAsync(string connectionString, string tagMode)
    {
        var system = ActorSystem.Create("warm-up", ConfigurationFactory.ParseString(SqlTarget(connectionString, tagMode) + "\nakka.loglevel = WARNING"));
        var journal = new TargetJournal(Persistence.Instance.Apply(system).JournalFor("akka.persistence.journal.central"), system, TimeSpan.FromSeconds(60), "warm-up");
        await journal.HighestSequenceNrAsync("warm-up", CancellationToken.None);
        // The first writes compile the plugin's SQL (linq2db): done here, not in either measured run.
        for (int round = 0; round < 3; round++)
        {
            var writes = Enumerable.Range(0, 20).Select(w => new AtomicWrite(Enumerable.Range(1, 5).Select(i => (IPersistentRepresentation)new Persistent(
                new Akka.Persistence.Journal.Tagged(new Reading("warm-up", i, "x"), ["reading"]), round * 5 + i, $"warm-up-{w}", "", false, ActorRefs.NoSender, "w", DateTime.UtcNow.Ticks)).ToImmutableList())).ToList();
            await journal.WriteAsync(writes, 100, CancellationToken.None);
        }
        await system.Terminate();
    }

    private static async Task<(long Events, TimeSpan Elapsed)> ExportEquivalentAsync(string store, string connectionString, string tagMode)
    {
        var system = ActorSystem.Create("export", ConfigurationFactory.ParseString(SqlTarget(connectionString, tagMode) + "\nakka.loglevel = WARNING"));
        try
        {
            var layout = StoreLayout.Find(store)!;
            var reader = new StoreReader(layout, new MiniStoreOptions(), new PayloadSerializer(system));
            var journal = new TargetJournal(Persistence.Instance.Apply(system).JournalFor("akka.persistence.journal.central"), system, TimeSpan.FromSeconds(60), "export");
            var clock = Stopwatch.StartNew();
            long copied = 0;
            foreach (string log in layout.EventLogs())
            {
                string pid;
                using (var file = MiniStoreLog.Open(log, readOnly: true))
                    pid = EventRecord.Read(file.LastRecordAtOpen!.Value, log).PersistenceId;
                await journal.HighestSequenceNrAsync(pid, CancellationToken.None); // export resumes from the target's highest
                var batch = new List<IPersistentRepresentation>(1000);
                reader.ReadEvents(pid, 1, long.MaxValue, (record, line, path) => batch.Add(reader.ToPersistent(record, line, path)));
                foreach (var chunk in batch.Chunk(1000))
                {
                    await journal.WriteAsync([new AtomicWrite(chunk.ToImmutableList())], chunk.Length, CancellationToken.None);
                    copied += chunk.Length;
                }
            }
            return (copied, clock.Elapsed);
        }
        finally
        {
            await system.Terminate();
        }
    }

    // ---- steady: lag from acknowledgement to visible in PostgreSQL ---------------------------------------------

    private static async Task SteadyAsync(Postgres postgres, string tagMode, int seconds, int rate)
    {
        string store = NewDirectory("steady");
        string db = postgres.NewDatabase("ship_steady");
        await WarmUpAsync(db, tagMode);
        var config = ConfigurationFactory.ParseString(SqlTarget(db, tagMode)).WithFallback(Device.Hocon(store));
        var system = ActorSystem.Create("device", config);
        Device.Acknowledged.Clear();
        var shipper = MiniStoreShipping.Get(system).Start(ShippingOptions());
        var writers = Enumerable.Range(0, Ids).Select(i => system.ActorOf(Props.Create(() => new Writer($"sensor-{i:D3}", true)))).ToList();
        var visible = new Dictionary<(string, long), long>();
        using var stopPolling = new CancellationTokenSource();
        var poller = Task.Run(() => Poll(db, visible, stopPolling.Token));

        // Each writer every Ids/rate seconds, their ticks spread over the interval.
        var interval = TimeSpan.FromSeconds((double)Ids / rate);
        long writtenBefore = Interlocked.Read(ref Writer.Written);
        var clock = Stopwatch.StartNew();
        var ticks = writers.Select((w, i) => system.Scheduler.ScheduleTellRepeatedlyCancelable(interval * i / Ids, interval, w, Writer.Tick.Instance, ActorRefs.NoSender)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        foreach (var tick in ticks)
            tick.Cancel();
        double written = Interlocked.Read(ref Writer.Written) - writtenBefore;
        double writeSeconds = clock.Elapsed.TotalSeconds;
        for (int i = 0; i < 300 && visible.Count < Device.Acknowledged.Count; i++)
            await Task.Delay(100);
        stopPolling.Cancel();
        await poller;
        var status = shipper.Status;
        await system.Terminate();

        var lags = Device.Acknowledged.Where(a => visible.ContainsKey(a.Key))
            .Select(a => (visible[a.Key] - a.Value) * 1000.0 / Stopwatch.Frequency).Order().ToList();
        Console.WriteLine($"steady: {Ids} writers, {written / writeSeconds:0} events/s acknowledged for {writeSeconds:0} s ({written} events), shipped in-process to PostgreSQL");
        Console.WriteLine($"  visible in PostgreSQL: {lags.Count} of {Device.Acknowledged.Count}; lag from acknowledgement to visible: " +
                          $"p50 {Percentile(lags, 0.50):0} ms, p90 {Percentile(lags, 0.90):0} ms, p99 {Percentile(lags, 0.99):0} ms, max {lags.LastOrDefault():0} ms");
        Console.WriteLine($"  shipper: {status.ShippedEvents} events shipped, state {status.State}");
    }

    /// <summary>Polls the journal table for new rows, noting when each became visible.</summary>
    private static void Poll(string connectionString, Dictionary<(string, long), long> visible, CancellationToken stop)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        long after = 0;
        while (!stop.IsCancellationRequested)
        {
            using (var command = new NpgsqlCommand("SELECT ordering, persistence_id, sequence_number FROM journal WHERE ordering > @after ORDER BY ordering", connection))
            {
                command.Parameters.AddWithValue("after", after);
                using var rows = command.ExecuteReader();
                long now = Stopwatch.GetTimestamp();
                while (rows.Read())
                {
                    after = rows.GetInt64(0);
                    visible[(rows.GetString(1), rows.GetInt64(2))] = now;
                }
            }
            Thread.Sleep(10);
        }
    }

    // ---- writers: top rate with and without shipping ----------------------------------------------------------

    private static async Task WritersAsync(Postgres postgres, string tagMode, int seconds)
    {
        double without = await FloodAsync(postgres, tagMode, seconds, ship: false);
        double with = await FloodAsync(postgres, tagMode, seconds, ship: true);
        Console.WriteLine($"writers: {Ids} writers persisting back to back for {seconds} s: {without:0} events/s without shipping, {with:0} events/s while shipping in-process{(_maxRate is { } r ? $" (at most {r} events/s)" : "")} = {with / without:0.00}x");
    }

    private static async Task<double> FloodAsync(Postgres postgres, string tagMode, int seconds, bool ship)
    {
        string store = NewDirectory(ship ? "flood-shipped" : "flood");
        string db = postgres.NewDatabase(ship ? "ship_flood" : "noship_flood");
        await WarmUpAsync(db, tagMode);
        var system = ActorSystem.Create("device", ConfigurationFactory.ParseString(SqlTarget(db, tagMode)).WithFallback(Device.Hocon(store)));
        StoreShipper? shipper = ship ? MiniStoreShipping.Get(system).Start(ShippingOptions()) : null;
        var writers = Enumerable.Range(0, Ids).Select(i => system.ActorOf(Props.Create(() => new Writer($"sensor-{i:D3}", false)))).ToList();
        foreach (var w in writers)
            w.Tell(new Writer.Flood(20)); // warm-up
        await Task.Delay(1000);
        long before = Interlocked.Read(ref Writer.Written);
        var clock = Stopwatch.StartNew();
        foreach (var w in writers)
            w.Tell(new Writer.Flood(int.MaxValue));
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        double rate = (Interlocked.Read(ref Writer.Written) - before) / clock.Elapsed.TotalSeconds;
        string shipped = shipper is null ? "" : $"; the shipper shipped {shipper.Status.ShippedEvents} events meanwhile, {shipper.Status.BacklogEvents} behind";
        await system.Terminate();
        Console.WriteLine($"  {(ship ? "with" : "without")} shipping: {rate:0} events/s{shipped}");
        return rate;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static long Count(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM journal", connection);
        return (long)command.ExecuteScalar()!;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static string NewDirectory(string name)
    {
        string path = Path.Combine(Path.GetTempPath(), "ministore-shipping-bench", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;

    private static string OptionText(string[] args, string name, string fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
