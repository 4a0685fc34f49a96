using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// Reads a log forward from an offset up to its committed end (<see cref="MiniStoreLog.Length"/>: the torn tail, if
/// any, lies beyond it), one atomic batch (a "frame" of lines ending in a line without "more") at a time, and yields
/// its records once the whole frame is read and checked. Every line up to the end must be intact: a damaged line, an
/// over-long line or a frame cut off by the end is damage, thrown as <see cref="CorruptLogException"/> naming the file,
/// line and offset. The buffer is rented from the shared pool and grows only for a frame that does not fit.
/// </summary>
internal sealed class LogReader(SafeFileHandle file, string path, int maxLineLength, long offset, long lineNumber, long end)
{
    public IEnumerable<LogRecord> Read()
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(end - offset + 1, 4096, 64 * 1024));
        var frame = new List<(long Start, int Length, long LineOffset)>(); // file offsets: the buffer moves while a frame is read
        long bufferOffset = offset; // file offset of buffer[0]
        int filled = 0;
        try
        {
            while (offset < end)
            {
                // One frame: lines from `offset` until one without "more".
                frame.Clear();
                int scan = (int)(offset - bufferOffset);
                while (true)
                {
                    int lineLength = buffer.AsSpan(scan, filled - scan).IndexOf((byte)'\n');
                    if (lineLength > maxLineLength || (lineLength < 0 && filled - scan > maxLineLength))
                        throw Damage(bufferOffset + scan, frame.Count, $"line is longer than the {maxLineLength}-byte limit");
                    if (lineLength < 0)
                    {
                        if (bufferOffset + filled >= end)
                            throw Damage(bufferOffset + scan, frame.Count, "the log ends inside this batch (in a part that was read as complete when it was opened)");
                        // Drop what earlier frames used, grow if the frame fills the buffer, read on.
                        int keep = (int)(offset - bufferOffset);
                        buffer.AsSpan(keep, filled - keep).CopyTo(buffer);
                        (bufferOffset, filled, scan) = (offset, filled - keep, scan - keep);
                        if (filled == buffer.Length)
                        {
                            var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            buffer.AsSpan(0, filled).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }
                        int read = RandomAccess.Read(file, buffer.AsSpan(filled, (int)Math.Min(buffer.Length - filled, end - bufferOffset - filled)), bufferOffset + filled);
                        if (read == 0)
                            throw new IOException($"Log '{path}' became shorter than {end} bytes while it was being read.");
                        filled += read;
                        continue;
                    }
                    var decoded = LineFormat.Decode(buffer.AsSpan(scan, lineLength));
                    if (!decoded.IsValid)
                        throw Damage(bufferOffset + scan, frame.Count, decoded.Error + LineFormat.NotATornTail);
                    frame.Add((bufferOffset + scan + decoded.RecordStart, decoded.RecordLength, bufferOffset + scan));
                    scan += lineLength + 1;
                    if (!decoded.More)
                        break;
                }
                for (int i = 0; i < frame.Count; i++)
                    yield return new LogRecord(buffer.AsMemory((int)(frame[i].Start - bufferOffset), frame[i].Length), lineNumber > 0 ? lineNumber + i : 0, frame[i].LineOffset);
                if (lineNumber > 0)
                    lineNumber += frame.Count;
                offset = bufferOffset + scan;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Damage at a line of the frame being read; its line number is counted by the exception when this reader does not know it.</summary>
    private CorruptLogException Damage(long lineStart, int frameIndex, string problem) =>
        new(path, lineNumber > 0 ? lineNumber + frameIndex : 0, lineStart, problem);
}
