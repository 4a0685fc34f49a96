namespace MiniStore;

/// <summary>
/// One record read back from a log. <see cref="Json"/> points into the reader's buffer and is valid only until
/// the enumeration moves on; copy it (or deserialize it) to keep it.
/// </summary>
public readonly record struct LogRecord(ReadOnlyMemory<byte> Json, long LineNumber, long Offset)
{
    /// <summary>The record as written: one compact JSON value in UTF-8.</summary>
    public ReadOnlyMemory<byte> Json { get; } = Json;
    /// <summary>1-based line number of the record in its file, or 0 when it was read from an offset whose line was not counted.</summary>
    public long LineNumber { get; } = LineNumber;
    /// <summary>Byte offset of the record's line in its file.</summary>
    public long Offset { get; } = Offset;
}

/// <summary>What a crash left after the last complete batch of a log: <see cref="Length"/> bytes from <see cref="Offset"/>, never acknowledged.</summary>
public sealed record TornTail(long Offset, long Length, string Reason);

/// <summary>
/// What <see cref="MiniStoreLog.RepairTail"/> cut off the end of a log, and where it saved those bytes. The place is a
/// byte offset (<c>tail -c +$((Offset + 1))</c> shows it): opening reads only the end of the file, so lines are not counted.
/// </summary>
public sealed record TailRepair(string LogPath, long Offset, long BytesRemoved, string Reason, string BrokenCopyPath)
{
    public override string ToString() =>
        $"Repaired torn tail of '{LogPath}': removed {BytesRemoved} bytes from byte offset {Offset}: {Reason}. The removed bytes were saved to '{BrokenCopyPath}'.";
}
