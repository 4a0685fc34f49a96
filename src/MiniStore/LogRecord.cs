namespace MiniStore;

/// <summary>
/// One record read back from a log. <see cref="Json"/> points into the reader's buffer and is valid only until
/// the enumeration moves on; copy it (or deserialize it) to keep it.
/// </summary>
public readonly struct LogRecord
{
    public LogRecord(ReadOnlyMemory<byte> json, long lineNumber, long offset)
    {
        Json = json;
        LineNumber = lineNumber;
        Offset = offset;
    }

    /// <summary>The record as written: one compact JSON value in UTF-8.</summary>
    public ReadOnlyMemory<byte> Json { get; }
    /// <summary>1-based line number of the record in its file, or 0 when it was read from an offset whose line was not counted (see <see cref="MiniStoreLog.SeekAsync"/>).</summary>
    public long LineNumber { get; }
    /// <summary>Byte offset of the record's line in its file.</summary>
    public long Offset { get; }
}

/// <summary>What was found after the last complete record: bytes a crash left behind, never acknowledged.</summary>
public sealed record TornTail(long Offset, long Length, long LineNumber, string Reason);

/// <summary>
/// What <see cref="MiniStoreLog.OpenAsync"/> cut off the end of a log, and where it saved those bytes. Open reads only
/// the end of the file, so the place is a byte offset (<c>tail -c +$((Offset + 1))</c> shows it), not a line number.
/// </summary>
public sealed record TailRepair(string LogPath, long Offset, long BytesRemoved, string Reason, string BrokenCopyPath)
{
    public override string ToString() =>
        $"Repaired torn tail of '{LogPath}': removed {BytesRemoved} bytes from byte offset {Offset}: {Reason}. The removed bytes were saved to '{BrokenCopyPath}'.";
}
