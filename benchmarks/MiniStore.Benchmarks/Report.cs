namespace MiniStore.Benchmarks;

/// <summary>Writes a run's results into an output directory (<c>--out DIR</c>): the printed table as Markdown with the machine line, and the charts beside it.</summary>
internal static class Report
{
    /// <summary>results.md and benchmark.png/.svg: per scenario, MiniStore's speed over each other journal's and over the raw disk.</summary>
    public static void WriteRun(string directory, IReadOnlyList<string> header, Table table, string storeDirectory)
    {
        Directory.CreateDirectory(directory);
        var ratios = table.Ratios().ToList();
        var labels = Table.Peers.Select(p => p.Label).Append(Table.CeilingLabel).Select((label, color) => (label, color))
            .Where(l => ratios.Any(r => r.Ratios.Any(x => x.Label == l.label))).ToList();
        if (ratios.Count > 0)
            Chart.Bars(Path.Combine(directory, "benchmark"), "MiniStore's speed relative to other Akka.NET journals and to the raw disk (above 1x: MiniStore faster)",
                $"Medians of one run, {DateTime.Now:yyyy-MM-dd HH:mm}; {Machine.Short(storeDirectory)}",
                "MiniStore's rate ÷ the other's (for rows in ms: the other's time ÷ MiniStore's), log scale",
                ratios.Select(r => r.Scenario).ToList(),
                labels.Select(l => (l.label, l.color, (IReadOnlyList<double?>)ratios.Select(r => r.Ratios.Where(x => x.Label == l.label).Select(x => (double?)x.Ratio).FirstOrDefault()).ToList())).ToList(),
                ratios: true);
        var text = new List<string> { "# MiniStore benchmark", "" };
        text.AddRange(header.Select(l => l + "  "));
        text.Add("");
        if (ratios.Count > 0)
            text.AddRange(["![MiniStore's speed relative to the other journals and to the raw disk, per scenario](benchmark.png)", ""]);
        text.AddRange(table.Lines());
        File.WriteAllLines(Path.Combine(directory, "results.md"), text);
        Console.WriteLine($"Written: {Path.Combine(directory, "results.md")}{(ratios.Count > 0 ? ", benchmark.png, benchmark.svg" : "")}");
    }

    /// <summary>startup.md and startup-time/startup-memory .png/.svg: the start-up medians per journal (the first variant's).</summary>
    public static void WriteStartup(string directory, IReadOnlyList<string> header, IReadOnlyList<string> lines,
        Dictionary<(string Variant, string Journal), StartupScenario.Sample> medians, IReadOnlyList<string> journals, int fleet, string storeDirectory)
    {
        Directory.CreateDirectory(directory);
        string variant = medians.Keys.First().Variant;
        string[] colors = ["SQLite", "in-memory", "bare-fsync", "raw disk", "MiniStore"]; // as in benchmark.png
        IReadOnlyList<(string, int, IReadOnlyList<double?>)> Series(params Func<StartupScenario.Sample, double>[] values) =>
            journals.Select(j => (j, Array.FindIndex(colors, c => c.Equals(j, StringComparison.OrdinalIgnoreCase)) switch { < 0 => colors.Length, var i => i },
                (IReadOnlyList<double?>)values.Select(v => (double?)v(medians[(variant, j)])).ToList())).ToList();
        string machine = $"{(variant == "default" ? "" : variant + "; ")}{Machine.Short(storeDirectory)}";
        Chart.Bars(Path.Combine(directory, "startup-time"), "Start-up time per journal (lower is better)", machine,
            "milliseconds from the configuration and ActorSystem.Create (median of fresh processes)",
            ["to the first Persist acknowledged", $"to {fleet:N0} actors recovered"], Series(s => s.FirstPersistMs, s => s.FleetMs), ratios: false);
        Chart.Bars(Path.Combine(directory, "startup-memory"), "Resident memory per journal after start-up (lower is better)", machine,
            "MB resident (RSS, /proc/self/statm; median of fresh processes)",
            ["at Main (runtime only)", "after the first Persist", $"after {fleet:N0} actors recovered", $"after {fleet:N0}: anonymous part"],
            Series(s => s.RssStartMb, s => s.RssFirstPersistMb, s => s.RssFleetMb, s => s.AnonFleetMb), ratios: false, valueFormat: "N1");
        var text = new List<string> { "# MiniStore start-up", "" };
        text.AddRange(header.Select(l => l + "  "));
        text.AddRange(["", "![start-up time per journal](startup-time.png)", "", "![resident memory per journal](startup-memory.png)", ""]);
        text.AddRange(lines.Select(l => l.StartsWith('|') ? l : l + "  "));
        File.WriteAllLines(Path.Combine(directory, "startup.md"), text);
        Console.WriteLine($"Written: {Path.Combine(directory, "startup.md")}, startup-time.png/.svg, startup-memory.png/.svg");
    }
}
