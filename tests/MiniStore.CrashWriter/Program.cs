using Akka.Actor;
using MiniStore;
using MiniStore.CrashWriter;

// Usage:
//   MiniStore.CrashWriter <store directory> <actors> [akka] [max seconds]
//       Runs <actors> persistent actors (crash-0, crash-1, ...) on the MiniStore journal in <dir>/journal and snapshot
//       store in <dir>/snapshots. They persist forever; see CrashWriterActor for the lines printed on stdout.
//   MiniStore.CrashWriter <store directory> <appends> engine
//       Engine only: opens <dir>/engine.jsonl and appends <appends> records one after another, printing
//       "ACK engine <n>" after each append's task completed, then "DONE <n>".
//   MiniStore.CrashWriter <store directory> <step> compact
//       Compaction: writes events 1..200 of "compact-1" (printing "WRITTEN 200"), deletes up to 150 with
//       compact-on-delete on, and kills itself (SIGKILL) right after compaction step <step> (a CompactionCrash.Step),
//       printing "CRASH <step>" first; "NO CRASH" if the step never came.
//   MiniStore.CrashWriter <log file> 0 read
//       Engine only: reads the log through, printing "RECORDS <n>", or "CORRUPT <message>" (exit code 3). The
//       hostile-input tests run it under a GC heap limit to show a huge line is refused without being loaded.
// Meant to be killed (SIGKILL) by the crash tests; as a safety net against orphans, akka mode exits by itself after
// [max seconds] (default 120).
//   MiniStore.CrashWriter <store directory> <actors> fleet [descriptors to hold]
//       See Fleet.RunFleetAsync: a fleet persisting at once under the process's file limit, then recovered.
//   MiniStore.CrashWriter <store directory> <ids> memory
//       See Fleet.RunMemoryAsync: one short-lived actor per id; prints the managed heap after 1,000 ids and at the end.
if (args.Length >= 3 && args[2] == "fleet")
    return await Fleet.RunFleetAsync(Path.GetFullPath(args[0]), int.Parse(args[1]), args.Length > 3 ? int.Parse(args[3]) : 0);
if (args.Length == 3 && args[2] == "memory")
    return await Fleet.RunMemoryAsync(Path.GetFullPath(args[0]), int.Parse(args[1]));
if (args.Length == 3 && args[2] == "compact")
    return await CompactionCrash.RunAsync(Path.GetFullPath(args[0]), Enum.Parse<CompactionCrash.Step>(args[1]));
if (args.Length < 2 || !int.TryParse(args[1], out int count) || count < 0)
{
    Console.Error.WriteLine("usage: MiniStore.CrashWriter <store directory> <actors> [akka [max seconds]] | <store directory> <appends> engine | <log file> 0 read");
    return 2;
}
string directory = Path.GetFullPath(args[0]);
string mode = args.Length > 2 ? args[2] : "akka";

if (mode == "engine")
{
    Directory.CreateDirectory(directory);
    using var log = MiniStoreLog.Open(Path.Combine(directory, "engine.jsonl"));
    long start = log.Read().LongCount();
    for (long i = start + 1; i <= start + count; i++)
    {
        log.Append(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { n = i, text = "engine append" }));
        Output.Line($"ACK engine {i}");
    }
    Output.Line($"DONE {count}");
    return 0;
}
if (mode == "read")
{
    long records = 0;
    try
    {
        using var log = MiniStoreLog.Open(args[0], readOnly: true);
        records = log.Read().LongCount();
    }
    catch (CorruptLogException e)
    {
        Output.Line($"CORRUPT {e.Message}");
        return 3;
    }
    Output.Line($"RECORDS {records}");
    return 0;
}
if (mode != "akka")
{
    Console.Error.WriteLine($"unknown mode '{mode}': expected akka, engine or read");
    return 2;
}

// Akka's standard-out logger would share stdout with the protocol lines: send it to stderr.
Console.SetOut(Console.Error);
int maxSeconds = args.Length > 3 ? int.Parse(args[3]) : 120;
var system = ActorSystem.Create("crash-writer", CrashStoreConfig.For(directory));
for (int i = 0; i < count; i++)
{
    string pid = CrashSchedule.PersistenceId(i);
    system.ActorOf(Props.Create(() => new CrashWriterActor(pid)), pid);
}
await Task.WhenAny(system.WhenTerminated, Task.Delay(TimeSpan.FromSeconds(maxSeconds)));
Console.Error.WriteLine($"crash writer: stopping after {maxSeconds} s without being killed");
await system.Terminate();
return 0;
