namespace MiniStore.Benchmarks;

/// <summary>Collects each scenario's figures per journal and renders them side by side with the ratios the targets are set in (Markdown, printed and written to the report).</summary>
internal sealed class Table
{
    private sealed record Row(string Scenario, string Unit, Dictionary<string, Result> ByJournal, Result? Ceiling, string? CeilingName, List<string> Notes);
    private readonly List<Row> _rows = new();
    private readonly List<(string Scenario, Comparison Comparison, long Events, double Seen)> _metrics = new();

    /// <summary>The journals MiniStore is compared with, as the chart's series name them.</summary>
    public static readonly (string Journal, string Label)[] Peers =
    [
        ("SQLite", "vs Akka.Persistence.Sql on SQLite (WAL, synchronous=FULL)"),
        ("in-memory", "vs Akka's in-memory journal (no I/O)"),
        ("bare-fsync", "vs bare-fsync journal (write + fdatasync only, through Akka)"),
    ];

    public const string CeilingLabel = "vs the raw disk (paired ceiling, no Akka)";

    public void Add(string scenario, string unit, Journal journal, Result? ceiling, string? ceilingName, Result result, string? note = null)
    {
        var row = _rows.FirstOrDefault(r => r.Scenario == scenario);
        if (row is null) _rows.Add(row = new Row(scenario, unit, new(), ceiling, ceilingName, new()));
        row.ByJournal[journal.Name] = result;
        if (note is not null) row.Notes.Add($"{journal.Name}: {note}");
    }

    public void AddEngine(string scenario, string unit, Result result, Result? ceiling, string? note) =>
        Add(scenario, unit, Journal.MiniStore, ceiling, ceiling is null ? null : note, result, ceiling is null ? note : null);

    /// <summary>A scenario of MiniStore run without and with a metrics listener; <paramref name="seen"/> is the events the listener counted in one run.</summary>
    public void AddMetricsCost(string scenario, Comparison comparison, long events, double seen) => _metrics.Add((scenario, comparison, events, seen));

    /// <summary>Nanoseconds the plugin's instruments take per journal write without and with a listener (<see cref="InstrumentCost"/>).</summary>
    public (double Without, double With)? InstrumentCost { get; set; }

    /// <summary>MiniStore's speed over each peer's and over the ceiling per scenario (above 1: MiniStore faster), as the chart draws them.</summary>
    public IEnumerable<(string Scenario, IReadOnlyList<(string Label, double Ratio)> Ratios)> Ratios()
    {
        foreach (var row in _rows)
        {
            if (!row.ByJournal.TryGetValue("MiniStore", out var mini))
                continue;
            var ratios = new List<(string, double)>();
            foreach (var (journal, label) in Peers)
                if (row.ByJournal.TryGetValue(journal, out var other))
                    ratios.Add((label, row.Unit == "ms" ? other.Median / mini.Median : mini.Median / other.Median));
            if (row.Ceiling is not null)
                ratios.Add((CeilingLabel, mini.PairedRatio ?? mini.Median / row.Ceiling.Median));
            if (ratios.Count > 0)
                yield return (row.Scenario, ratios);
        }
    }

    public List<string> Lines()
    {
        var lines = new List<string>
        {
            "| scenario | unit | MiniStore | SQLite | in-memory | bare-fsync | MiniStore / SQLite | MiniStore / in-memory | MiniStore / bare-fsync | ceiling | MiniStore / ceiling | notes |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|---|",
        };
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
            lines.Add($"| {row.Scenario} | {row.Unit} | {Value("MiniStore")} | {Value("SQLite")} | {Value("in-memory")} | {Value("bare-fsync")} | {Ratio("SQLite")} | {Ratio("in-memory")} | {Ratio("bare-fsync")} | {ceiling} | {toCeiling}{PeerToCeiling("SQLite")}{PeerToCeiling("bare-fsync")} | {string.Join("; ", row.Notes)} |");
        }
        lines.Add("MiniStore / ceiling is paired: the ceiling ran right before each MiniStore run, and the median of those ratios is shown.");
        lines.Add("bare-fsync is the floor through Akka: one write + fdatasync per file touched per call, no serialization or index (BareFsyncJournal.cs).");
        lines.Add("Ratios are MiniStore's speed over the other's (for ms rows: the other's time over MiniStore's), so above 1 means MiniStore is faster.");
        if (_metrics.Count > 0)
        {
            lines.Add("");
            lines.Add("Metrics cost: MiniStore without and with a MeterListener on every instrument of \"Akka.Persistence.MiniStore\", aggregating as OpenTelemetry would (MetricsListener.cs); runs in turns, order swapped every pair. Aim: at most 2% apart.");
            lines.Add("");
            lines.Add("| scenario | without, events/s | with, events/s | with / without (paired rates) | CPU µs/op without | with | CPU with / without | B allocated/op without | with | events the listener counted |");
            lines.Add("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|");
            foreach (var (scenario, c, events, seen) in _metrics)
                lines.Add($"| {scenario} | {c.Without.Median:N0} | {c.With.Median:N0} | {c.PairedRatio:N3}x ({string.Join(", ", c.Ratios.Select(r => r.ToString("N3")))}) | {c.Without.CpuMicrosecondsPerOp:N1} | {c.With.CpuMicrosecondsPerOp:N1} | {c.CpuRatio:N3}x | {c.Without.AllocatedPerOp:N0} | {c.With.AllocatedPerOp:N0} | {seen:N0} of {events:N0} per run |");
            lines.Add("On fsync-bound rows the rates swing more between runs than 2%; CPU per operation is the steadier measure of what the instruments cost.");
            if (InstrumentCost is var (without, with))
            {
                var s1 = _metrics.FirstOrDefault(m => m.Scenario.StartsWith("S1", StringComparison.Ordinal)).Comparison;
                lines.Add($"The instruments alone, per journal write (two counters, a histogram and one timed fsync; no disk): {without:N0} ns without a listener, {with:N0} ns with it" +
                          (s1 is null ? "." : $": {(with - without) / 10 / s1.Without.CpuMicrosecondsPerOp:N3}% of S1's CPU per event ({s1.Without.CpuMicrosecondsPerOp:N1} µs)."));
            }
        }
        return lines;
    }

    public void Print()
    {
        Console.WriteLine();
        Lines().ForEach(Console.WriteLine);
    }
}
