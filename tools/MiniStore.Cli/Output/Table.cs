using System.Globalization;

namespace MiniStore.Cli.Output;

/// <summary>Left-aligned text columns, wide enough for their longest cell; numbers right-aligned; every cell escaped (<see cref="Printable"/>).</summary>
internal sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void Add(params object[] cells) => _rows.Add(cells.Select(Text).ToArray());

    public void WriteTo(TextWriter output)
    {
        var widths = Enumerable.Range(0, headers.Length).Select(c => _rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in _rows)
        {
            var cells = row.Select((cell, c) => IsNumber(cell) && row != _rows[0] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    private static string Text(object cell) => cell switch
    {
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Printable.Escape(cell.ToString()),
    };

    private static bool IsNumber(string cell) => cell.Length > 0 && (char.IsDigit(cell[0]) || cell == "-") && !cell.Contains(':');
}
