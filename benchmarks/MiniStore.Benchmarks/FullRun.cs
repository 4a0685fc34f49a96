using System.Text;
using Akka.Actor;
using Akka.Persistence;

namespace MiniStore.Benchmarks;

/// <summary>
/// The side-by-side run: every scenario on every journal in one process, as ratios (the machine is shared and noisy).
/// <code>dotnet run -c Release --project benchmarks/MiniStore.Benchmarks -- [scale] [repeats] [directory] [journals] [scenarios] [--out DIR] [--sync-delay MS]</code>
/// scale 1 runs the sizes of issue 5 (S4/S5 on 1,000,000 events); scale 0.05 is a quick run of a few minutes.
/// journals: a comma-separated subset of MiniStore,SQLite,in-memory,bare-fsync,metrics (default: all; bare-fsync and
/// metrics run S1-S3 only; metrics is MiniStore with and without a MeterListener, paired run by run).
/// scenarios: a comma-separated subset of raw,S1,S2,S3,S4,S5,S6,E1 (default: all); what a chosen one needs is set up unmeasured.
/// --out DIR writes results.md (the table and the machine) and a chart (benchmark.png, benchmark.svg) into DIR.
/// --sync-delay MS runs it all on a simulated slow disk (<see cref="SlowDisk"/>).
/// </summary>
internal static class FullRun
{
    public static async Task RunAsync(CommandLine commandLine)
    {
        var args = commandLine.Positional;
        double scale = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1;
        int repeats = args.Length > 1 ? int.Parse(args[1]) : 3;
        string root = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), "ministore-bench");
        int Scaled(int n, int minimum = 1) => Math.Max(minimum, (int)(n * scale));

        int s1Events = Scaled(5_000, 50), s2Actors = 100, s2Events = Scaled(200, 5), s3Events = Scaled(50_000, 1_000) / 100 * 100;
        int bigLog = Scaled(1_000_000, 2_000) / 100 * 100, snapshotAt = bigLog - 1_000;
        int fleet = Scaled(10_000, 100), fleetEvents = 10, engineRecords = Scaled(1_000_000, 10_000) / 100 * 100;

        if (Directory.Exists(root)) Directory.Delete(root, true);
        Directory.CreateDirectory(root);
        var header = new List<string>
        {
            $"MiniStore benchmark, scale {scale}: median of {repeats} runs after discarded warm-up runs (more than one while the JIT is still compiling, up to 4), in {root}",
            Machine.Line(root),
            $"SQLite journal as the plugin opens it: {Journal.PrepareSqlite(Path.Combine(root, "sqlite-check"))}",
        };
        header.ForEach(Console.WriteLine);
        Journal[] journals = [Journal.MiniStore, Journal.Sqlite, Journal.InMemory, Journal.BareFsync, Journal.Metrics];
        // In the order given, so that alternating orders can show whether running first or last matters.
        if (args.Length > 3) journals = args[3].Split(',').Select(name => journals.Single(j => j.Name.Equals(name, StringComparison.OrdinalIgnoreCase))).ToArray();
        var scenarios = args.Length > 4 ? args[4].Split(',') : null;
        bool Runs(string scenario) => scenarios is null || scenarios.Contains(scenario, StringComparer.OrdinalIgnoreCase);
        string[] writeScenarios = ["S1", "S2", "S3"];
        var table = new Table();

        bool raw = new[] { "raw", "S1", "S2", "S3", "E1" }.Any(Runs);
        if (raw) Console.WriteLine("Raw disk (200-byte lines, fdatasync)");
        var singleCeiling = new Ceiling("the raw 1-file fsync loop", s1Events, run => Task.Run(() => RawDisk.FsyncLoop(Path.Combine(root, $"raw-single-{run}.txt"), s1Events)));
        var parallelCeiling = new Ceiling("the raw 100-file parallel fsyncs", s2Actors * s2Events, run => Task.Run(() => RawDisk.ParallelFsync(Path.Combine(root, $"raw-parallel-{run}"), s2Actors, 32, s2Events)));
        var batchCeiling = new Ceiling("the raw 100-lines-per-fsync loop", s3Events, run => Task.Run(() => RawDisk.FsyncLoop(Path.Combine(root, $"raw-batch-{run}.txt"), s3Events, 100)));
        var rawSingle = !raw ? null : await Measure.RateAsync($"one file, write + fdatasync per line ({s1Events})", repeats, s1Events, singleCeiling.Run);
        var rawParallel = !raw ? null : await Measure.RateAsync($"{s2Actors} files by 32 threads, fdatasync per line ({s2Actors * s2Events})", repeats, s2Actors * s2Events, parallelCeiling.Run);
        var rawBatch = !raw ? null : await Measure.RateAsync($"one file, batches of 100 lines per fdatasync ({s3Events})", repeats, s3Events, batchCeiling.Run);
        Ceiling? Paired(Journal journal, Ceiling ceiling) => journal == Journal.InMemory ? null : ceiling;

        string s1Name = $"S1 one actor, {s1Events} Persist one after another", s2Name = $"S2 {s2Actors} actors x {s2Events} Persist, concurrently",
            s3Name = $"S3 one actor, PersistAll in batches of 100, {s3Events} events";
        // The process's CPU time while the last S1-S3 run wrote (not while its actor system started and stopped).
        (TimeSpan Total, TimeSpan User) writeCpu = default;
        async Task<double> TimedWriteAsync(IReadOnlyList<IActorRef> actors, int count, int batchSize)
        {
            var before = Environment.CpuUsage;
            double seconds = await Systems.WriteAsync(actors, count, batchSize);
            var after = Environment.CpuUsage;
            writeCpu = (after.TotalTime - before.TotalTime, after.UserTime - before.UserTime);
            return seconds;
        }
        Task<double?> S1(Systems systems, int run) => systems.RunAsync<double?>(async system =>
        {
            var (actor, _, _) = await Systems.StartAsync(system, $"s1-{run}");
            return await TimedWriteAsync([actor], s1Events, 1);
        });
        Task<double?> S2(Systems systems, int run) => systems.RunAsync<double?>(async system =>
        {
            var started = await Task.WhenAll(Enumerable.Range(0, s2Actors).Select(a => Systems.StartAsync(system, $"s2-{run}-{a}")));
            return await TimedWriteAsync(started.Select(s => s.Actor).ToList(), s2Events, 1);
        });
        Task<double?> S3(Systems systems, int run) => systems.RunAsync<double?>(async system =>
        {
            var (actor, _, _) = await Systems.StartAsync(system, $"s3-{run}");
            double seconds = await TimedWriteAsync([actor], s3Events, 100);
            await Systems.StopAsync([actor]);
            return seconds;
        });

        // S1-S3 of MiniStore without and with a MeterListener (in stores of their own), in turns.
        async Task MetricsCostAsync(string dir)
        {
            await using var plain = new Systems(Journal.MiniStore, Path.Combine(dir, "without"));
            await using var metered = new Systems(Journal.MiniStore, Path.Combine(dir, "with"));
            double seen = 0;
            Func<int, Task<double?>> Metered(Func<Systems, int, Task<double?>> scenario, long events) => async run =>
            {
                using var listener = new MetricsListener();
                double? seconds = await scenario(metered, run);
                seen = listener.Sum("ministore.events.written");
                if (seen != events)
                    throw new InvalidOperationException($"the metrics listener counted {seen} events written in a run of {events}");
                return seconds;
            };
            if (Runs("S1"))
                table.AddMetricsCost("S1 one actor, Persist one by one", await Measure.CompareAsync(s1Name + ", metrics", repeats, s1Events, run => S1(plain, run), Metered(S1, s1Events), () => writeCpu), s1Events, seen);
            if (Runs("S2"))
                table.AddMetricsCost("S2 100 actors, Persist concurrently", await Measure.CompareAsync(s2Name + ", metrics", repeats, s2Actors * s2Events, run => S2(plain, run), Metered(S2, s2Actors * s2Events), () => writeCpu), s2Actors * s2Events, seen);
            var (without, with) = InstrumentCost.PerWrite();
            Console.WriteLine($"  the instruments alone, per journal write (no disk): {without:N0} ns without a listener, {with:N0} ns with");
            table.InstrumentCost = (without, with);
            if (Runs("S3"))
                table.AddMetricsCost("S3 one actor, PersistAll x100", await Measure.CompareAsync(s3Name + ", metrics", repeats, s3Events, run => S3(plain, run), Metered(S3, s3Events), () => writeCpu), s3Events, seen);
        }

        foreach (var journal in journals)
        {
            Console.WriteLine($"{journal.Name} journal");
            // A journal that only writes skips the other scenarios, saying why.
            bool RunsFor(string scenario) => Runs(scenario) && (journal.OnlyWrites is null || writeScenarios.Contains(scenario));
            if (journal.OnlyWrites is { } onlyWrites && new[] { "S4", "S5", "S6" }.Where(Runs).ToList() is { Count: > 0 } skipped)
                Console.WriteLine($"  {string.Join(", ", skipped)} skipped: {onlyWrites}");
            string dir = Path.Combine(root, journal.Name);
            Directory.CreateDirectory(dir);
            if (journal == Journal.Sqlite) Journal.PrepareSqlite(dir);
            await using var systems = new Systems(journal, dir);

            if (journal == Journal.Metrics)
            {
                await MetricsCostAsync(dir);
                continue;
            }

            if (RunsFor("S1"))
                table.Add("S1 one actor, Persist one by one", "events/s", journal, rawSingle, "raw 1-file fsync loop", await Measure.RateAsync(s1Name, repeats, s1Events,
                    run => S1(systems, run), Paired(journal, singleCeiling)));

            if (RunsFor("S2"))
                table.Add("S2 100 actors, Persist concurrently", "events/s", journal, rawParallel, "raw 100 files/32 threads", await Measure.RateAsync(s2Name, repeats, s2Actors * s2Events,
                    run => S2(systems, run), Paired(journal, parallelCeiling)));

            if (RunsFor("S3"))
                table.Add("S3 one actor, PersistAll x100", "events/s", journal, rawBatch, "raw 100 lines per fsync", await Measure.RateAsync(s3Name, repeats, s3Events,
                    run => S3(systems, run), Paired(journal, batchCeiling)));
            else if (RunsFor("S4"))
                await S3(systems, 1); // S4's log, unmeasured

            if (RunsFor("S4"))
                table.Add("S4 recovery of S3's actor", "events/s", journal, null, null, await Measure.RateAsync($"S4 recovery of S3's actor ({s3Events} events)", repeats, s3Events,
                    run => systems.RunAsync<double?>(async system => Check(await Systems.StartAsync(system, "s3-1"), s3Events, 0))));

            // S6 before the big log, so that the in-memory journal's million events do not count in its peak memory.
            if (RunsFor("S6"))
            {
                await systems.RunAsync(async system =>
                {
                    // Set-up, not measured: 100 actors at a time, so that no journal's write timeout is hit.
                    for (int from = 0; from < fleet; from += 100)
                    {
                        var started = await Task.WhenAll(Enumerable.Range(from, Math.Min(100, fleet - from)).Select(a => Systems.StartAsync(system, $"s6-{a}")));
                        await Systems.WriteAsync(started.Select(s => s.Actor).ToList(), fleetEvents, fleetEvents);
                        await Systems.StopAsync(started.Select(s => s.Actor));
                    }
                    return true;
                });
                GC.Collect();
                long before = Environment.WorkingSet;
                var s6 = await Measure.RateAsync($"S6 {fleet} actors each recovering {fleetEvents} events (actors/s)", repeats, fleet,
                    run => systems.RunAsync<double?>(async system =>
                    {
                        var watch = System.Diagnostics.Stopwatch.StartNew();
                        var started = await Task.WhenAll(Enumerable.Range(0, fleet).Select(a => Systems.StartAsync(system, $"s6-{a}")));
                        double seconds = watch.Elapsed.TotalSeconds;
                        if (started.Any(s => s.Recovered.Events != fleetEvents)) throw new InvalidOperationException("S6: an actor recovered the wrong number of events");
                        await Systems.StopAsync(started.Select(s => s.Actor));
                        return seconds;
                    }));
                table.Add("S6 fleet start-up", "actors/s", journal, null, null, s6, $"peak {s6.PeakBytes / 1048576.0:N0} MB (+{(s6.PeakBytes - before) / 1048576.0:N0}), {s6.PeakHandles} fds");
            }

            // The big log: snapshotAt events, a snapshot, 1,000 more. S4 replays it all (snapshots ignored), S5 from the snapshot.
            if (!RunsFor("S4") && !RunsFor("S5"))
                continue;
            await systems.RunAsync(async system =>
            {
                var (actor, _, _) = await Systems.StartAsync(system, "big");
                // In chunks of 10,000 events, so that no journal's write timeout is hit while the rest wait in its queue.
                for (int written = 0; written < snapshotAt; written += 10_000)
                    await Systems.WriteAsync([actor], Math.Min(10_000, snapshotAt - written), 100);
                await Systems.SnapshotAsync(actor);
                await Systems.WriteAsync([actor], bigLog - snapshotAt, 100);
                await Systems.StopAsync([actor]);
                return true;
            });
            if (RunsFor("S4"))
                table.Add($"S4 recovery of {bigLog:N0} events", "events/s", journal, null, null, await Measure.RateAsync($"S4 recovery of {bigLog} events", repeats, bigLog,
                    run => systems.RunAsync<double?>(async system => Check(await Systems.StartAsync(system, "big", new Recovery(SnapshotSelectionCriteria.None)), bigLog, 0))));
            if (RunsFor("S5"))
                table.Add($"S5 snapshot at {snapshotAt:N0} + 1,000", "ms", journal, null, null, await Measure.MillisecondsAsync($"S5 recovery from the snapshot at {snapshotAt} of {bigLog} (ms)", repeats,
                    run => systems.RunAsync(async system => 1000 * Check(await Systems.StartAsync(system, "big"), bigLog - snapshotAt, snapshotAt))));
            if (journal == Journal.Sqlite)
                Console.WriteLine($"  SQLite file after the run: {Journal.DescribeSqlite(dir)}");
        }

        if (Runs("E1"))
            await EngineAsync();
        table.Print();
        if (commandLine.Option("out") is { } outDirectory)
            Report.WriteRun(outDirectory, header, table, root);

        async Task EngineAsync()
        {
            Console.WriteLine("E1 engine alone (src/MiniStore, no Akka)");
            var smallRecord = Encoding.UTF8.GetBytes("{\"n\":1234567,\"k\":\"abc\"}");
            var appendBatch = Enumerable.Repeat((ReadOnlyMemory<byte>)smallRecord, 100).ToList();
            var e1Single = await Measure.RateAsync($"E1 Append, one record at a time ({s1Events} records)", repeats, s1Events, run =>
            {
                using var log = MiniStoreLog.Open(Path.Combine(root, $"e1-single-{run}.jsonl"));
                for (int i = 0; i < s1Events; i++)
                    log.Append(smallRecord);
                return Task.CompletedTask;
            }, singleCeiling);
            var e1Append = await Measure.RateAsync($"E1 Append, batches of 100 ({s3Events} records)", repeats, s3Events, run =>
            {
                using var log = MiniStoreLog.Open(Path.Combine(root, $"e1-append-{run}.jsonl"));
                for (int i = 0; i < s3Events / 100; i++)
                    log.Append(appendBatch);
                return Task.CompletedTask;
            }, batchCeiling);
            string e1Path = Path.Combine(root, "e1-replay.jsonl");
            using (var log = MiniStoreLog.Open(e1Path))
                for (int i = 0; i < engineRecords / 1000; i++)
                    log.AppendBatches(Enumerable.Repeat((IReadOnlyList<ReadOnlyMemory<byte>>)appendBatch, 10).ToList()); // 10 batches of 100 per write
            var e1Replay = await Measure.RateAsync($"E1 Read replay of {engineRecords} records", repeats, engineRecords, _ =>
            {
                long count = 0;
                using var log = MiniStoreLog.Open(e1Path, readOnly: true);
                foreach (var r in log.Read())
                    count += r.Json.Length > 0 ? 1 : 0;
                if (count != engineRecords) throw new InvalidOperationException($"replayed {count} of {engineRecords}");
                return Task.CompletedTask;
            });
            table.AddEngine("E1 engine appends, one at a time", "records/s", e1Single, rawSingle, "raw 1-file fsync loop");
            table.AddEngine("E1 engine appends, batches of 100", "records/s", e1Append, rawBatch, "raw 100 lines per fsync");
            table.AddEngine($"E1 engine replay of {engineRecords:N0}", "records/s", e1Replay, null, $"{e1Replay.AllocatedPerOp:N1} B allocated/record");
        }
    }

    private static double Check((IActorRef Actor, Recovered Recovered, double Seconds) started, long events, long snapshotSequenceNr)
    {
        if (started.Recovered.Events != events || started.Recovered.SnapshotSequenceNr != snapshotSequenceNr)
            throw new InvalidOperationException($"recovered {started.Recovered}, expected {events} events after a snapshot at {snapshotSequenceNr}");
        started.Actor.Tell(PoisonPill.Instance);
        return started.Seconds;
    }
}
