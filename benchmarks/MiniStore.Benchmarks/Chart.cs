using ScottPlot;

namespace MiniStore.Benchmarks;

/// <summary>
/// Horizontal grouped bar charts (ScottPlot, drawn by Skia's own software renderer: no display needed), saved as PNG
/// and SVG. Each chart says alone what it shows: title, what is measured on the machine named, axis label, legend, and
/// each bar's value written at its end.
/// </summary>
internal static class Chart
{
    private const int Width = 1400;
    private const string Font = "DejaVu Sans"; // Debian's fonts-dejavu-core; Skia falls back to another font where it is missing

    /// <summary>One group of bars per category (top to bottom), one bar per series in each; a series keeps its color (an index in the palette) from chart to chart.</summary>
    /// <param name="ratios">Draw on a log scale around 1 (bars grow from "equal" to the ratio, right when above 1), with values written as "1.53x".</param>
    public static void Bars(string pathWithoutExtension, string title, string machine, string axisLabel, IReadOnlyList<string> categories,
        IReadOnlyList<(string Label, int Color, IReadOnlyList<double?> Values)> series, bool ratios, string valueFormat = "N0")
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        var categoryTicks = new ScottPlot.TickGenerators.NumericManual();
        double low = 0, high = 0;
        int slot = 0; // top to bottom: the first category at the top, its first series on top; a category takes as many slots as it has bars, and one more between groups
        for (int c = 0; c < categories.Count; c++, slot++)
        {
            int first = slot;
            for (int s = 0; s < series.Count; s++)
            {
                if (series[s].Values[c] is not { } value || value <= 0 && ratios)
                    continue;
                double drawn = ratios ? Math.Log10(value) : value;
                (low, high) = (Math.Min(low, drawn), Math.Max(high, drawn));
                bars.Add(new Bar
                {
                    Position = -slot++,
                    Value = drawn,
                    ValueBase = 0,
                    FillColor = palette.GetColor(series[s].Color),
                    Label = ratios ? Ratio(value) : value.ToString(valueFormat),
                });
            }
            categoryTicks.AddMajor(-(first + slot - 1) / 2.0, categories[c]);
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        barPlot.ValueLabelStyle.FontSize = 13;
        barPlot.ValueLabelStyle.FontName = Font;

        plot.Axes.Left.TickGenerator = categoryTicks;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.MajorTickStyle.Length = 0;

        double span = Math.Max(high - low, ratios ? 1 : 1e-9);
        if (ratios)
        {
            var valueTicks = new ScottPlot.TickGenerators.NumericManual();
            foreach (double tick in new[] { 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200 })
                if (Math.Log10(tick) >= low - 0.5 && Math.Log10(tick) <= high + 0.5)
                    valueTicks.AddMajor(Math.Log10(tick), tick >= 1 ? $"{tick:0}x" : $"{tick:0.###}x");
            plot.Axes.Bottom.TickGenerator = valueTicks;
            plot.Add.VerticalLine(0, 2, Colors.Black); // equal
        }
        plot.Axes.SetLimitsX(Math.Min(low, 0) - span * (ratios ? 0.08 : 0), high + span * 0.18);
        plot.Axes.SetLimitsY(-slot + 0.5, 0.8);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.XLabel(axisLabel, 15);
        plot.Title($"{title}\n{machine}", 16);
        plot.Axes.Title.Label.FontSize = 17;

        plot.Font.Set(Font);
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.FontSize = 13;
        for (int s = 0; s < series.Count; s++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Label, FillColor = palette.GetColor(series[s].Color) });

        int height = 230 + 20 * title.Count(ch => ch == '\n') + 20 * machine.Count(ch => ch == '\n') + slot * 22;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pathWithoutExtension))!);
        plot.SavePng(pathWithoutExtension + ".png", Width, height);
        plot.SaveSvg(pathWithoutExtension + ".svg", Width, height);
    }

    /// <summary>Two significant digits below 0.1 (0.0044x), two decimals up to 10, none above.</summary>
    private static string Ratio(double value) => (value < 0.1 ? value.ToString("G2") : value < 10 ? value.ToString("N2") : value.ToString("N0")) + "x";
}
