using MiniStore.CrashCampaign;

// Usage: MiniStore.CrashCampaign <cycles> [--actors N] [--seed S] [--store DIR] [--keep]
//   Runs <cycles> kill/restart cycles of the crash writer (see CrashCampaign) and prints one line per cycle and a
//   summary. Exit code 0 when every invariant held, 1 when one broke (the store is then kept for inspection), 2 on
//   bad arguments.
if (args.Length < 1 || !int.TryParse(args[0], out int cycles) || cycles < 1)
    return Usage();
int actors = 4;
int? seed = null;
string? store = null;
bool keep = false;
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--actors" when i + 1 < args.Length && int.TryParse(args[i + 1], out actors) && actors > 0: i++; break;
        case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], out int s): seed = s; i++; break;
        case "--store" when i + 1 < args.Length: store = Path.GetFullPath(args[++i]); break;
        case "--keep": keep = true; break;
        default: return Usage();
    }
}

try
{
    var result = await new CrashCampaign(new CampaignOptions(cycles, actors, seed, store, keep), Console.WriteLine).RunAsync();
    Console.WriteLine($"PASSED: {result}");
    return 0;
}
catch (CampaignFailure)
{
    return 1; // the campaign printed what failed
}

static int Usage()
{
    Console.Error.WriteLine("usage: MiniStore.CrashCampaign <cycles> [--actors N] [--seed S] [--store DIR] [--keep]");
    return 2;
}
