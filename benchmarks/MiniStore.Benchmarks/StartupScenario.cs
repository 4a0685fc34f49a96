using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;

namespace MiniStore.Benchmarks;

/// <summary>
/// Start-up on a small device: how long from building the actor system's configuration and <c>ActorSystem.Create</c>
/// to the first <c>Persist</c> acknowledged (a new persistence id), and on to a fleet of actors recovered (each with a
/// few events), with the resident memory after each, for each journal in one run.
/// <para>
/// Start-up can only be measured once per process (the JIT, the assemblies, the file caches of the process are warm
/// after it), so each sample is a fresh child process: this benchmark's own executable in a child mode
/// (<see cref="ChildMode"/>), whose Main is a dispatcher that loads nothing of any journal before the clock starts.
/// Journals take turns sample by sample (so they share the machine's weather); the first sample of each is discarded
/// (the disk cache of the assemblies); the table shows medians. The stores of MiniStore and SQLite are filled once,
/// unmeasured, by another child (<see cref="SeedMode"/>); the in-memory journal gets the same fleet in its constructor
/// (<see cref="SeededMemoryJournal"/>).
/// </para>
/// <code>dotnet run -c Release --project benchmarks/MiniStore.Benchmarks -- startup [samples=7] [directory] [journals=MiniStore,SQLite,in-memory] [--fleet 1000] [--events 5] [--variants "default;DOTNET_TieredPGO=0"] [--out DIR]</code>
/// --variants: child environments to compare, separated by ';' ("default" = none; several variables joined by '&amp;'),
/// e.g. <c>DOTNET_TieredPGO=0</c>, <c>DOTNET_TieredCompilation=0</c>, <c>DOTNET_ReadyToRun=0</c>, <c>DOTNET_TC_QuickJitForLoops=0</c>;
/// a setting whose name starts with "akka." goes into the actor system's configuration instead (e.g.
/// <c>akka.persistence.journal.ministore.write-threads=2</c>).
/// </summary>
internal static class StartupScenario
{
    public const string ChildMode = "startup-child";
    public const string SeedMode = "startup-seed";
    private const string ResultPrefix = "STARTUP ";
    private const string HoconVariable = "MINISTORE_BENCH_STARTUP_HOCON"; // a variant's settings of the actor system, over the journal's

    /// <summary>One child's readings: times from the start of the configuration (ms), memory (MB), and what the process holds at the end.</summary>
    internal sealed record Sample(
        double ExecToMainMs, double CreateMs, double BootRecoveredMs, double IndexReadyMs, double FirstPersistMs, double FleetMs,
        double RssStartMb, double RssFirstPersistMb, double RssFleetMb, double AnonFleetMb, double FileFleetMb, double GcHeapMb,
        int Threads, long JitMethods, double JitMs, double CpuMs, int Assemblies, string[] AssemblyNames, string[] ThreadNames);

    public static async Task RunAsync(CommandLine commandLine)
    {
        int samples = int.Parse(commandLine.At(0) ?? "7");
        string root = commandLine.At(1) ?? Path.Combine(Path.GetTempPath(), "ministore-startup");
        var journals = (commandLine.At(2) ?? "MiniStore,SQLite,in-memory").Split(',');
        int fleet = int.Parse(commandLine.Option("fleet") ?? "1000"), events = int.Parse(commandLine.Option("events") ?? "5");
        var variants = (commandLine.Option("variants") ?? "default").Split(';');
        if (Directory.Exists(root)) Directory.Delete(root, true);
        Directory.CreateDirectory(root);

        var header = new List<string>
        {
            $"Start-up: from the configuration and ActorSystem.Create to the first Persist acknowledged (a new persistence id), and to {fleet:N0} actors recovered ({events} events each); medians of {samples} child processes per journal after one discarded, in {root}",
            Machine.Line(root),
        };
        header.ForEach(Console.WriteLine);
        foreach (var journal in journals.Where(j => j != Journal.InMemory.Name))
        {
            var seed = Stopwatch.StartNew();
            await RunChildAsync(SeedMode, [journal, Path.Combine(root, journal), fleet.ToString(), events.ToString()], "default");
            Console.WriteLine($"  {journal}: store of {fleet:N0} actors x {events} events written in {seed.Elapsed.TotalSeconds:N1} s (not measured)");
            if (journal.Equals(Journal.MiniStore.Name, StringComparison.OrdinalIgnoreCase))
                header.Add(await RunChildAsync(CatchUpProbe.Mode, [Path.Combine(root, journal)], "default", printed: true));
        }

        var results = new Dictionary<(string Variant, string Journal), List<Sample>>();
        for (int sample = 0; sample <= samples; sample++)
            foreach (var variant in variants)
                for (int j = 0; j < journals.Length; j++)
                {
                    string journal = journals[(j + sample) % journals.Length]; // a different journal goes first each time
                    var output = await RunChildAsync(ChildMode, [journal, Path.Combine(root, journal), fleet.ToString(), events.ToString(), $"boot-{sample}-{Array.IndexOf(variants, variant)}",
                        Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)], variant);
                    var result = JsonSerializer.Deserialize<Sample>(output)!;
                    Console.WriteLine($"  sample {sample}{(sample == 0 ? " (discarded)" : "")} {variant} {journal}: first Persist {result.FirstPersistMs:N0} ms, fleet {result.FleetMs:N0} ms, RSS {result.RssFleetMb:N1} MB");
                    if (sample > 0)
                        (results.TryGetValue((variant, journal), out var list) ? list : results[(variant, journal)] = []).Add(result);
                }

        var lines = Table(results, variants, journals, fleet);
        lines.AddRange(Differences(results, variants, fleet));
        lines.AddRange(Details(results, variants[0], journals));
        Console.WriteLine();
        lines.ForEach(Console.WriteLine);
        if (commandLine.Option("out") is { } outDirectory)
            Report.WriteStartup(outDirectory, header, lines, results.ToDictionary(r => r.Key, r => Medians(r.Value)), journals, fleet, root);
    }

    private static List<string> Table(Dictionary<(string Variant, string Journal), List<Sample>> results, string[] variants, string[] journals, int fleet)
    {
        var lines = new List<string>
        {
            $"| variant | journal | exec to Main ms | Create ms | first actor recovered ms | index caught up ms | first Persist ms | {fleet:N0} recovered ms | RSS at Main MB | RSS after first Persist MB | RSS after fleet MB | of it anonymous MB | of it files MB | GC heap MB | threads | JIT methods | JIT ms | CPU ms | assemblies |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        };
        foreach (var variant in variants)
            foreach (var journal in journals)
            {
                var m = Medians(results[(variant, journal)]);
                lines.Add($"| {variant} | {journal} | {m.ExecToMainMs:N0} | {m.CreateMs:N0} | {m.BootRecoveredMs:N0} | {(m.IndexReadyMs > 0 ? m.IndexReadyMs.ToString("N0") : "")} | {m.FirstPersistMs:N0} | {m.FleetMs:N0} | {m.RssStartMb:N1} | {m.RssFirstPersistMb:N1} | {m.RssFleetMb:N1} | {m.AnonFleetMb:N1} | {m.FileFleetMb:N1} | {m.GcHeapMb:N1} | {m.Threads} | {m.JitMethods:N0} | {m.JitMs:N0} | {m.CpuMs:N0} | {m.Assemblies} |");
            }
        lines.Add("Times run from the start of the configuration (just before ActorSystem.Create); exec to Main is the runtime's own start (the same program for all). The first actor (a new id) recovers, then persists one event; MiniStore's first write waits for its event index to catch up with the logs. RSS from /proc/self/statm, its anonymous and file-backed parts from /proc/self/status.");
        return lines;
    }

    /// <summary>MiniStore over the in-memory journal, with the spread of the paired samples, against the project's aim (at most 100 ms and 3 MB more).</summary>
    private static IEnumerable<string> Differences(Dictionary<(string Variant, string Journal), List<Sample>> results, string[] variants, int fleet)
    {
        foreach (var variant in variants)
        {
            if (!results.TryGetValue((variant, Journal.MiniStore.Name), out var mini) || !results.TryGetValue((variant, Journal.InMemory.Name), out var memory))
                continue;
            string Over(Func<Sample, double> value, string unit, string format)
            {
                string Signed(double d) => (d >= 0 ? "+" : "") + d.ToString(format);
                return $"{Signed(Median(mini.Select(value)) - Median(memory.Select(value)))} {unit} (samples {string.Join(", ", mini.Zip(memory, (a, b) => Signed(value(a) - value(b))))})";
            }
            yield return $"MiniStore over in-memory ({variant}): first Persist {Over(s => s.FirstPersistMs, "ms", "N0")}; {fleet:N0} recovered {Over(s => s.FleetMs, "ms", "N0")}; " +
                         $"RSS after fleet {Over(s => s.RssFleetMb, "MB", "N1")}, of it anonymous {Over(s => s.AnonFleetMb, "MB", "N1")}; JIT {Over(s => s.JitMethods, "methods", "N0")}, {Over(s => s.JitMs, "ms", "N0")}; threads {Over(s => s.Threads, "", "N0")}. Aim: at most +100 ms and +3 MB.";
        }
    }

    /// <summary>What each journal's process holds beyond the in-memory journal's: assemblies, and threads by name.</summary>
    private static IEnumerable<string> Details(Dictionary<(string Variant, string Journal), List<Sample>> results, string variant, string[] journals)
    {
        results.TryGetValue((variant, Journal.InMemory.Name), out var memory);
        var baseAssemblies = memory?.Last().AssemblyNames.ToHashSet() ?? [];
        foreach (var journal in journals)
        {
            var last = results[(variant, journal)].Last();
            var threads = last.ThreadNames.GroupBy(n => n).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}");
            yield return $"{journal}: threads: {string.Join(", ", threads)}";
            if (journal != Journal.InMemory.Name && memory is not null)
                yield return $"{journal}: assemblies beyond the in-memory journal's: {string.Join(", ", last.AssemblyNames.Where(a => !baseAssemblies.Contains(a)))}";
        }
    }

    /// <summary>Starts this benchmark in a child mode with the variant's environment; returns the result line of its output.</summary>
    private static async Task<string> RunChildAsync(string mode, string[] args, string variant, bool printed = false)
    {
        var info = SelfProcess.StartInfo([mode, .. args]);
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        if (variant != "default")
            foreach (var setting in variant.Split('&'))
            {
                var (name, value) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
                if (name.StartsWith("akka.", StringComparison.Ordinal))
                    info.Environment[HoconVariable] = (info.Environment.TryGetValue(HoconVariable, out var earlier) ? earlier + "\n" : "") + $"{name} = {value}";
                else
                    info.Environment[name] = value;
            }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        string text = await output;
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || (mode == ChildMode && line is null))
            throw new InvalidOperationException($"{mode} {string.Join(' ', args)} ({variant}) failed with exit code {process.ExitCode}:\n{text}\n{await error}");
        if (printed)
        {
            Console.Write(text);
            return text.TrimEnd();
        }
        return line?[ResultPrefix.Length..] ?? "";
    }

    /// <summary>Fills a journal's store with the fleet (not measured): <c>startup-seed journal directory actors events</c>.</summary>
    public static async Task SeedAsync(string[] args)
    {
        var journal = JournalNamed(args[0]);
        string directory = args[1];
        int fleet = int.Parse(args[2]), events = int.Parse(args[3]);
        Directory.CreateDirectory(directory);
        if (journal == Journal.Sqlite) Journal.PrepareSqlite(directory);
        await using var systems = new Systems(journal, directory);
        await systems.RunAsync(async system =>
        {
            for (int from = 0; from < fleet; from += 100)
            {
                var started = await Task.WhenAll(Enumerable.Range(from, Math.Min(100, fleet - from)).Select(a => Systems.StartAsync(system, $"fleet-{a}")));
                await Systems.WriteAsync(started.Select(s => s.Actor).ToList(), events, 1);
                await Systems.StopAsync(started.Select(s => s.Actor));
            }
            return true;
        });
    }

    /// <summary>One sample: <c>startup-child journal directory actors events persistenceId parentTimestamp</c>; prints one result line and exits.</summary>
    public static async Task ChildAsync(string[] args)
    {
        long main = Stopwatch.GetTimestamp();
        double execToMain = Stopwatch.GetElapsedTime(long.Parse(args[5], CultureInfo.InvariantCulture), main).TotalMilliseconds;
        double rssStart = Memory.Resident();
        long start = Stopwatch.GetTimestamp();
        var sample = await MeasureAsync(args[0], args[1], int.Parse(args[2]), int.Parse(args[3]), args[4], start);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(sample with { ExecToMainMs = execToMain, RssStartMb = rssStart }));
        Environment.Exit(0); // the system's shutdown is not start-up
    }

    /// <summary>Apart from <see cref="ChildAsync"/>, so that nothing of Akka or a journal is loaded (or compiled) before the clock starts.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<Sample> MeasureAsync(string journalName, string directory, int fleet, int events, string persistenceId, long start)
    {
        double Since() => Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var config = ConfigFor(journalName, directory, fleet, events);
        var system = ActorSystem.Create("startup", config);
        double create = Since();
        var indexReady = journalName.Equals(Journal.MiniStore.Name, StringComparison.OrdinalIgnoreCase) ? IndexReady(system, directory, Since) : Task.FromResult(0.0);
        var (actor, _, _) = await Systems.StartAsync(system, persistenceId);
        double bootRecovered = Since();
        await Systems.WriteAsync([actor], 1, 1);
        double firstPersist = Since();
        double rssFirst = Memory.Resident();
        var started = await Task.WhenAll(Enumerable.Range(0, fleet).Select(a => Systems.StartAsync(system, $"fleet-{a}")));
        double fleetMs = Since();
        if (started.FirstOrDefault(s => s.Recovered.Events != events) is { Actor: not null } wrong)
            throw new InvalidOperationException($"{wrong.Actor.Path.Name} recovered {wrong.Recovered.Events} events, expected {events}");
        var (anon, file) = Memory.AnonymousAndFiles();
        return new Sample(0, create, bootRecovered, await indexReady, firstPersist, fleetMs, 0, rssFirst, Memory.Resident(), anon, file, GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0,
            Memory.ThreadNames().Length, System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
            Environment.CpuUsage.TotalTime.TotalMilliseconds, AppDomain.CurrentDomain.GetAssemblies().Length,
            AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "?").Order().ToArray(), Memory.ThreadNames());
    }

    /// <summary>When MiniStore's event index has caught up with the logs (the first Persist waits for it); apart, so that no other journal's child loads the plugin.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<double> IndexReady(ActorSystem system, string directory, Func<double> since) =>
        Akka.Persistence.MiniStore.Storage.IndexSignals.Get(system).For(Path.Combine(directory, "journal")).Ready.ContinueWith(_ => since(), TaskContinuationOptions.ExecuteSynchronously);

    private static Journal JournalNamed(string name) =>
        new[] { Journal.MiniStore, Journal.Sqlite, Journal.InMemory }.Single(j => j.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static Config ConfigFor(string journalName, string directory, int fleet, int events)
    {
        var journal = JournalNamed(journalName);
        var config = journal != Journal.InMemory ? journal.ConfigFor(directory) : ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.seeded-inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.persistence.journal.seeded-inmem {
              class = "{{typeof(SeededMemoryJournal).AssemblyQualifiedName}}"
              plugin-dispatcher = "akka.actor.default-dispatcher"
              seed-actors = {{fleet}}
              seed-events = {{events}}
            }
            """);
        return Environment.GetEnvironmentVariable(HoconVariable) is { } settings ? ConfigurationFactory.ParseString(settings).WithFallback(config) : config;
    }

    private static Sample Medians(List<Sample> samples) => new(
        Median(samples.Select(s => s.ExecToMainMs)), Median(samples.Select(s => s.CreateMs)), Median(samples.Select(s => s.BootRecoveredMs)),
        Median(samples.Select(s => s.IndexReadyMs)), Median(samples.Select(s => s.FirstPersistMs)), Median(samples.Select(s => s.FleetMs)),
        Median(samples.Select(s => s.RssStartMb)), Median(samples.Select(s => s.RssFirstPersistMb)), Median(samples.Select(s => s.RssFleetMb)),
        Median(samples.Select(s => s.AnonFleetMb)), Median(samples.Select(s => s.FileFleetMb)), Median(samples.Select(s => s.GcHeapMb)),
        (int)Median(samples.Select(s => (double)s.Threads)), (long)Median(samples.Select(s => (double)s.JitMethods)), Median(samples.Select(s => s.JitMs)),
        Median(samples.Select(s => s.CpuMs)), (int)Median(samples.Select(s => (double)s.Assemblies)), samples.Last().AssemblyNames, samples.Last().ThreadNames);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
