using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.MiniStore.Storage;
using Akka.Persistence.MiniStore.Serialization;

namespace MiniStore.Benchmarks;

/// <summary>
/// How close S4 (recovery) can come to Akka's in-memory journal: in one run, the in-memory journal's recovery (Akka's
/// own work per event, wall and CPU time), MiniStore's recovery in a fresh actor system, MiniStore's read path alone
/// (no Akka), and the floor of any JSONL journal: the record's JSON tokens (Utf8JsonReader) and its payload
/// deserialized (System.Text.Json), from memory, no I/O, no checks.
/// <code>dotnet run -c Release --project benchmarks/MiniStore.Benchmarks -- replay-floor [events=200000] [repeats=5] [directory]</code>
/// </summary>
internal static class ReplayFloor
{
    private const string PersistenceId = "floor";

    public static async Task RunAsync(string[] args)
    {
        int events = args.Length > 0 ? int.Parse(args[0]) : 200_000;
        int repeats = args.Length > 1 ? int.Parse(args[1]) : 5;
        string root = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), "ministore-bench-floor");
        if (Directory.Exists(root)) Directory.Delete(root, true);
        Console.WriteLine($"Replay floor: {events:N0} events of one persistence id, median of {repeats} runs after one warm-up, in {root}");

        string miniStoreDir = Path.Combine(root, Journal.MiniStore.Name);
        await using var miniStore = new Systems(Journal.MiniStore, miniStoreDir);
        await using var inMemory = new Systems(Journal.InMemory, Path.Combine(root, Journal.InMemory.Name));
        await WriteAsync(miniStore, events);
        await WriteAsync(inMemory, events);

        // Alternating, so that both see the same machine.
        var miniStoreRuns = new List<(double Wall, double Cpu)>();
        var inMemoryRuns = new List<(double Wall, double Cpu)>();
        for (int run = 0; run <= repeats; run++)
        {
            var m = await RecoverAsync(miniStore, events);
            var i = await RecoverAsync(inMemory, events);
            if (run == 0) continue;
            miniStoreRuns.Add(m);
            inMemoryRuns.Add(i);
        }

        string log = Directory.GetFiles(Path.Combine(miniStoreDir, "journal"), "*.jsonl").Single();
        var records = RecordsOf(log);
        double tokens = PerRecord(records, repeats, TokensOnly);
        double floor = PerRecord(records, repeats, TokensAndPayload);
        double readPath = await ReadPathAsync(log, events, repeats);

        var (mWall, mCpu) = (Median(miniStoreRuns.Select(r => r.Wall)), Median(miniStoreRuns.Select(r => r.Cpu)));
        var (iWall, iCpu) = (Median(inMemoryRuns.Select(r => r.Wall)), Median(inMemoryRuns.Select(r => r.Cpu)));
        Console.WriteLine($"  load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"  in-memory journal recovery (Akka's own work)        {iWall,7:N0} ns/event wall, {iCpu,7:N0} ns/event CPU (runs: {Runs(inMemoryRuns)})");
        Console.WriteLine($"  MiniStore recovery, fresh actor system               {mWall,7:N0} ns/event wall, {mCpu,7:N0} ns/event CPU (runs: {Runs(miniStoreRuns)}): {iWall / mWall:N2}x in-memory");
        Console.WriteLine($"  MiniStore read path alone (file, CRC, record, payload, Persistent; no Akka) {readPath,7:N0} ns/event");
        Console.WriteLine($"  floor: the record's JSON tokens (Utf8JsonReader, from memory)              {tokens,7:N0} ns/event");
        Console.WriteLine($"  floor: tokens + the payload deserialized (System.Text.Json)                {floor,7:N0} ns/event");
        Console.WriteLine($"  best ratio with the floor alone added to Akka's CPU (cores shared):        {iCpu / (iCpu + floor):N2}x");
        Console.WriteLine($"  best ratio with the floor on a core of its own (pipelined, idle machine):  {iWall / Math.Max(iWall, floor):N2}x");
    }

    private static async Task WriteAsync(Systems systems, int events) => await systems.RunAsync(async system =>
    {
        var (actor, _, _) = await Systems.StartAsync(system, PersistenceId);
        for (int written = 0; written < events; written += 10_000)
            await Systems.WriteAsync([actor], Math.Min(10_000, events - written), 100);
        await Systems.StopAsync([actor]);
        return true;
    });

    /// <summary>Nanoseconds per event from the actor's start to RecoveryCompleted: wall time, and the process's CPU time.</summary>
    private static Task<(double Wall, double Cpu)> RecoverAsync(Systems systems, int events) => systems.RunAsync(async system =>
    {
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var (actor, recovered, seconds) = await Systems.StartAsync(system, PersistenceId);
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        if (recovered.Events != events) throw new InvalidOperationException($"recovered {recovered.Events} of {events} events");
        await Systems.StopAsync([actor]);
        return (seconds * 1e9 / events, cpuSeconds * 1e9 / events);
    });

    /// <summary>The records of a journal log (the "rec" value of each line), one after another in one buffer, as a read buffer holds them.</summary>
    private static (byte[] Buffer, (int Start, int Length)[] Records) RecordsOf(string log)
    {
        var buffer = new MemoryStream();
        var records = new List<(int, int)>();
        foreach (var line in File.ReadLines(log))
        {
            var record = Encoding.UTF8.GetBytes(line[(line.IndexOf("\"rec\":", StringComparison.Ordinal) + 6)..^1]);
            records.Add(((int)buffer.Length, record.Length));
            buffer.Write(record);
        }
        return (buffer.ToArray(), records.ToArray());
    }

    private static long TokensOnly(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        while (reader.Read()) { }
        return reader.BytesConsumed;
    }

    private static long TokensAndPayload(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        long n = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("payload"u8))
                continue;
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            n += JsonSerializer.Deserialize<Stored>(record[start..(int)reader.BytesConsumed])!.N;
        }
        return n;
    }

    private delegate long RecordWork(ReadOnlySpan<byte> record);

    /// <summary>Median nanoseconds per record of <paramref name="work"/> over all records, after warm-up passes (JIT tiering).</summary>
    private static double PerRecord((byte[] Buffer, (int Start, int Length)[] Records) records, int repeats, RecordWork work)
    {
        var runs = new List<double>();
        long sink = 0;
        for (int run = -3; run < repeats; run++)
        {
            var watch = Stopwatch.StartNew();
            foreach (var (start, length) in records.Records)
                sink += work(records.Buffer.AsSpan(start, length));
            if (run >= 0) runs.Add(watch.Elapsed.TotalNanoseconds / records.Records.Length);
        }
        GC.KeepAlive(sink);
        return Median(runs);
    }

    /// <summary>What the journal does per event before Akka: the engine's read (framing, CRC), the record parsed, the payload read, the Persistent made.</summary>
    private static async Task<double> ReadPathAsync(string log, int events, int repeats)
    {
        using var system = ActorSystem.Create("floor", "akka.loglevel = WARNING");
        var serializer = new PayloadSerializer(system);
        var runs = new List<double>();
        for (int run = -3; run < repeats; run++)
        {
            var strings = new EventRecordStrings(PersistenceId);
            long count = 0;
            var watch = Stopwatch.StartNew();
            using var file = MiniStoreLog.Open(log, readOnly: true);
            foreach (var line in file.Read())
            {
                var persistent = EventRecord.Read(line, log, strings).ToPersistent(serializer, log, line);
                count += persistent.SequenceNr > 0 ? 1 : 0;
            }
            if (count != events) throw new InvalidOperationException($"read {count} of {events} records");
            if (run >= 0) runs.Add(watch.Elapsed.TotalNanoseconds / events);
        }
        await system.Terminate();
        return Median(runs);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Runs(IEnumerable<(double Wall, double Cpu)> runs) => string.Join(", ", runs.Select(r => $"{r.Wall:N0}/{r.Cpu:N0}"));
}
