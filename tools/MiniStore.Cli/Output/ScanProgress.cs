using System.Diagnostics;

namespace MiniStore.Cli.Output;

/// <summary>
/// "scanning 42% (120.0 MB of 285.3 MB)" on one line of stderr, redrawn at most five times a second, only when stderr
/// is a terminal and the scan takes more than a moment; erased when done, so output that is piped stays clean.
/// </summary>
internal sealed class ScanProgress : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly TextWriter _output;
    private readonly long _totalBytes;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, long> _doneBefore = new();
    private long _done;
    private TimeSpan _lastDrawn = Interval; // the first draw waits for a whole interval: short scans print nothing
    private bool _drawn;

    private ScanProgress(TextWriter output, long totalBytes)
    {
        _output = output;
        _totalBytes = Math.Max(1, totalBytes);
    }

    /// <summary>A progress line on <paramref name="output"/> if it is the console's stderr on a terminal, else null.</summary>
    public static ScanProgress? ForConsole(TextWriter output, long totalBytes) =>
        ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected ? new ScanProgress(output, totalBytes) : null;

    /// <summary>Notes that <paramref name="path"/> has been read up to <paramref name="offset"/>.</summary>
    public void Advance(string path, long offset)
    {
        if (!_doneBefore.ContainsKey(path))
            _doneBefore[path] = _done;
        _done = _doneBefore[path] + offset;
        var now = _clock.Elapsed;
        if (now - _lastDrawn < Interval)
            return;
        _lastDrawn = now;
        _drawn = true;
        _output.Write($"\rscanning {100 * _done / _totalBytes,3}% ({Table.Size(_done)} of {Table.Size(_totalBytes)})   ");
        _output.Flush();
    }

    public void Dispose()
    {
        if (_drawn)
            _output.Write("\r" + new string(' ', 60) + "\r");
    }
}
