namespace MiniStore.Benchmarks;

/// <summary>Collects each scenario's figures per journal and prints them side by side with the ratios the targets are set in.</summary>
internal sealed class Table
{
    private sealed record Row(string Scenario, string Unit, Dictionary<string, Result> ByJournal, Result? Ceiling, string? CeilingName, List<string> Notes);
    private readonly List<Row> _rows = new();

    public void Add(string scenario, string unit, Journal journal, Result? ceiling, string? ceilingName, Result result, string? note = null)
    {
        var row = _rows.FirstOrDefault(r => r.Scenario == scenario);
        if (row is null) _rows.Add(row = new Row(scenario, unit, new(), ceiling, ceilingName, new()));
        row.ByJournal[journal.Name] = result;
        if (note is not null) row.Notes.Add($"{journal.Name}: {note}");
    }

    public void AddEngine(string scenario, string unit, Result result, Result? ceiling, string? note) =>
        Add(scenario, unit, Journal.MiniStore, ceiling, ceiling is null ? null : note, result, ceiling is null ? note : null);

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine("| scenario | unit | MiniStore | SQLite | in-memory | bare-fsync | MiniStore / SQLite | MiniStore / in-memory | MiniStore / bare-fsync | ceiling | MiniStore / ceiling | notes |");
        Console.WriteLine("|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|---|");
        foreach (var row in _rows)
        {
            bool lowerIsBetter = row.Unit == "ms";
            string Value(string journal) => row.ByJournal.TryGetValue(journal, out var r) ? r.Median.ToString(lowerIsBetter ? "N1" : "N0") : "";
            string Ratio(string journal)
            {
                if (!row.ByJournal.TryGetValue("MiniStore", out var mini) || !row.ByJournal.TryGetValue(journal, out var other)) return "";
                return (lowerIsBetter ? other.Median / mini.Median : mini.Median / other.Median).ToString("N2") + "x";
            }
            string ceiling = row.Ceiling is null ? "" : $"{row.CeilingName} {row.Ceiling.Median:N0}/s";
            // Paired (ceiling run right before each run) where measured: the disk's speed drifts too much between scenarios.
            string toCeiling = row.Ceiling is null || !row.ByJournal.TryGetValue("MiniStore", out var m) ? "" : ((m.PairedRatio ?? m.Median / row.Ceiling.Median).ToString("N2") + "x");
            string PeerToCeiling(string journal) => row.Ceiling is not null && row.ByJournal.TryGetValue(journal, out var q) && q.PairedRatio is { } p ? $" ({journal} {p:N2}x)" : "";
            Console.WriteLine($"| {row.Scenario} | {row.Unit} | {Value("MiniStore")} | {Value("SQLite")} | {Value("in-memory")} | {Value("bare-fsync")} | {Ratio("SQLite")} | {Ratio("in-memory")} | {Ratio("bare-fsync")} | {ceiling} | {toCeiling}{PeerToCeiling("SQLite")}{PeerToCeiling("bare-fsync")} | {string.Join("; ", row.Notes)} |");
        }
        Console.WriteLine("MiniStore / ceiling is paired: the ceiling ran right before each MiniStore run, and the median of those ratios is shown.");
        Console.WriteLine("bare-fsync is the floor through Akka: one write + fdatasync per file touched per call, no serialization or index (BareFsyncJournal.cs).");
        Console.WriteLine("Ratios are MiniStore's speed over the other's (for ms rows: the other's time over MiniStore's), so above 1 means MiniStore is faster.");
    }
}
