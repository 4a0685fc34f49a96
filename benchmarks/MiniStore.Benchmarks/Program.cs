using MiniStore.Benchmarks;

// Only a dispatcher, so that nothing a mode uses is loaded (nor JIT-compiled) before that mode starts: the start-up
// children measure the loading of their own journal's assemblies.
//
// dotnet run -c Release --project benchmarks/MiniStore.Benchmarks -- [scale] [repeats] [directory] [journals] [scenarios] [--out DIR] [--sync-delay MS]
//   the side-by-side run (FullRun.cs)
// ... -- startup [samples] [directory] [journals] [--fleet N] [--events N] [--variants V1|V2] [--out DIR] [--sync-delay MS]  (StartupScenario.cs)
// ... -- query-by-tag [events] [repeats] [directory] [TagTable|Csv]  (QueryScenario.cs)
// ... -- replay-floor [events] [repeats] [directory]  (ReplayFloor.cs)
var commandLine = new CommandLine(args);
if (SlowDisk.Requested(commandLine) is { } delay && !SlowDisk.Active)
{
    Environment.Exit(SlowDisk.RunSelfUnderDelay(delay, args));
    return;
}
switch (commandLine.Positional.FirstOrDefault())
{
    case StartupScenario.ChildMode: await StartupScenario.ChildAsync(commandLine.Positional[1..]); break;
    case StartupScenario.SeedMode: await StartupScenario.SeedAsync(commandLine.Positional[1..]); break;
    case CatchUpProbe.Mode: CatchUpProbe.Run(commandLine.Positional[1..]); break;
    case "startup": await StartupScenario.RunAsync(commandLine with { Positional = commandLine.Positional[1..] }); break;
    case "query-by-tag": await QueryScenario.RunAsync(commandLine.Positional[1..]); break;
    case "replay-floor": await ReplayFloor.RunAsync(commandLine.Positional[1..]); break;
    default: await FullRun.RunAsync(commandLine); break;
}
