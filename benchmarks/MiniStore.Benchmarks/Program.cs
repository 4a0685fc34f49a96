using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.MiniStore;
using MiniStore;
using MiniStore.Benchmarks;

// dotnet run -c Release --project benchmarks/MiniStore.Benchmarks -- [events] [repeats] [directory]
// dotnet run -c Release --project benchmarks/MiniStore.Benchmarks -- query-by-tag [events] [repeats] [directory]  (QueryScenario.cs)
if (args.Length > 0 && args[0] == "query-by-tag") { await QueryScenario.RunAsync(args[1..]); return; }
int events = args.Length > 0 ? int.Parse(args[0]) : 5000;
int repeats = args.Length > 1 ? int.Parse(args[1]) : 3;
string root = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), "ministore-bench");
if (Directory.Exists(root)) Directory.Delete(root, true);
Directory.CreateDirectory(root);
Console.WriteLine($"MiniStore benchmark: {events} events per scenario, median of {repeats} runs after one warm-up, in {root}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

string line = new string('x', 199) + "\n";
var lineBytes = Encoding.UTF8.GetBytes(line);
var record = Encoding.UTF8.GetBytes("{\"id\":12345,\"name\":\"" + new string('y', 140) + "\"}");

Console.WriteLine("Raw disk");
double rawFsync = await Measure.RateAsync("append 200-byte line + fdatasync, one file", repeats, events, async run =>
{
    string path = Path.Combine(root, $"raw-{run}.txt");
    using var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
    long position = 0;
    for (int i = 0; i < events; i++)
    {
        RandomAccess.Write(file, lineBytes, position);
        position += lineBytes.Length;
        OsFileSync.Instance.SyncFile(file);
    }
    await Task.CompletedTask;
});

Console.WriteLine("Engine (src/MiniStore)");
double engineSingle = await Measure.RateAsync("AppendAsync, one record at a time", repeats, events, async run =>
{
    await using var log = await MiniStoreLog.OpenAsync(Path.Combine(root, $"single-{run}.jsonl"));
    for (int i = 0; i < events; i++)
        await log.AppendJsonAsync(record);
});
Measure.Ratio("  ratio to the raw fsync loop", engineSingle, rawFsync);
int batches = Math.Max(1, events * 20 / 100);
await Measure.RateAsync($"AppendBatchAsync, batches of 100 ({batches * 100} records)", repeats, batches * 100L, async run =>
{
    await using var log = await MiniStoreLog.OpenAsync(Path.Combine(root, $"batch-{run}.jsonl"));
    var batch = Enumerable.Repeat((ReadOnlyMemory<byte>)record, 100).ToList();
    for (int i = 0; i < batches; i++)
        await log.AppendJsonBatchAsync(batch);
});
string replayPath = Path.Combine(root, "batch-1.jsonl");
await Measure.RateAsync($"ReadAsync replay ({batches * 100} records)", repeats, batches * 100L, async _ =>
{
    long count = 0;
    await foreach (var r in MiniStoreLog.ReadAsync(replayPath))
        count += r.Json.Length > 0 ? 1 : 0;
    if (count != batches * 100L) throw new InvalidOperationException($"replayed {count}");
});

Console.WriteLine("Akka.Persistence: MiniStore journal vs Akka's in-memory journal");
foreach (var (scenario, batchSize) in new[] { ("S1 one actor, Persist one after another", 1), ("S3 one actor, PersistAll in batches of 100", 100) })
{
    int n = batchSize == 1 ? events : events * 10;
    double mini = await Measure.RateAsync($"{scenario}, MiniStore ({n})", repeats, n, run => PersistScenario.RunAsync(MiniStoreConfig(Path.Combine(root, $"akka-{batchSize}-{run}")), n, batchSize));
    double memory = await Measure.RateAsync($"{scenario}, in-memory ({n})", repeats, n, run => PersistScenario.RunAsync(MemoryConfig, n, batchSize));
    Measure.Ratio("  MiniStore / in-memory", mini, memory);
    if (batchSize == 1) Measure.Ratio("  MiniStore / raw fsync loop", mini, rawFsync);
}
int recoverEvents = events * 10;
var recoveryDir = Path.Combine(root, "akka-recovery");
await PersistScenario.RunAsync(MiniStoreConfig(recoveryDir), recoverEvents, 100, "recovery");
await Measure.RateAsync($"S4 recovery of {recoverEvents} events, MiniStore", repeats, recoverEvents, _ => PersistScenario.RecoverAsync(MiniStoreConfig(recoveryDir), recoverEvents));

static Config MiniStoreConfig(string directory) => ConfigurationFactory.ParseString($$"""
    akka.loglevel = WARNING
    akka.persistence.journal.plugin = "akka.persistence.journal.ministore"
    akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.ministore"
    akka.persistence.journal.ministore.directory = "{{Path.Combine(directory, "journal")}}"
    akka.persistence.snapshot-store.ministore.directory = "{{Path.Combine(directory, "snapshots")}}"
    """).WithFallback(MiniStorePersistence.DefaultConfiguration());

partial class Program
{
    static readonly Config MemoryConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);
}
