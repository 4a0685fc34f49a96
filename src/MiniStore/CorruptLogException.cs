namespace MiniStore;

/// <summary>
/// A log holds damage that is not a torn tail: a bad line with intact lines after it, or a line longer than allowed.
/// Nothing is repaired or skipped automatically; the message names the file, the line and what was wrong.
/// </summary>
public sealed class CorruptLogException : IOException
{
    public CorruptLogException(string path, long lineNumber, long offset, string problem, Exception? inner = null)
        : base($"Log '{path}' is damaged at line {lineNumber} (byte offset {offset}): {problem}.", inner)
    {
        LogPath = path;
        LineNumber = lineNumber;
        Offset = offset;
        Problem = problem;
    }

    public string LogPath { get; }
    public long LineNumber { get; }
    public long Offset { get; }
    public string Problem { get; }
}
