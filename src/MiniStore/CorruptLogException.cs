namespace MiniStore;

/// <summary>
/// A log holds damage that is not a torn tail: a bad line with intact lines after it, or a line longer than allowed.
/// Nothing is repaired or skipped automatically; the message names the file, the line and what was wrong.
/// </summary>
public sealed class CorruptLogException : IOException
{
    /// <summary>
    /// Damage at a line (1-based) starting at a byte offset. A line number of 0 means the caller read from an offset
    /// without counting lines (a seek, the last record at open): the line is then counted from the file here, on this
    /// error path only.
    /// </summary>
    public CorruptLogException(string path, long lineNumber, long offset, string problem, Exception? inner = null)
        : base($"Log '{path}' is damaged at {At(ref lineNumber, path, offset)}: {problem}.", inner)
    {
        LogPath = path;
        LineNumber = lineNumber;
        Offset = offset;
        Problem = problem;
    }

    private static string At(ref long lineNumber, string path, long offset)
    {
        if (lineNumber <= 0)
            lineNumber = LineNumberAt(path, offset);
        return lineNumber > 0 ? $"line {lineNumber} (byte offset {offset})" : $"byte offset {offset}";
    }

    public string LogPath { get; }
    /// <summary>1-based line number; 0 only when the file could no longer be read to count it.</summary>
    public long LineNumber { get; }
    public long Offset { get; }
    public string Problem { get; }

    /// <summary>The line that holds byte <paramref name="offset"/>: one more than the line breaks before it. 0 if the file cannot be read.</summary>
    private static long LineNumberAt(string path, long offset)
    {
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            var buffer = new byte[1 << 20];
            long lines = 1;
            for (long position = 0; position < offset;)
            {
                int read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, offset - position)), position);
                if (read == 0)
                    break;
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                position += read;
            }
            return lines;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
