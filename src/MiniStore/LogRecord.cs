namespace MiniStore;

/// <summary>One record read back from a log.</summary>
/// <param name="Json">The record as written: one compact JSON value in UTF-8. It points into the reader's buffer and is
/// valid only until the enumeration moves on; copy it (or deserialize it) to keep it.</param>
/// <param name="LineNumber">1-based line number of the record in its file, or 0 when it was read from an offset whose line was not counted.</param>
/// <param name="Offset">Byte offset of the record's line in its file.</param>
public readonly record struct LogRecord(ReadOnlyMemory<byte> Json, long LineNumber, long Offset);

/// <summary>
/// What a crash left after the last complete batch of a log: <see cref="Length"/> bytes from <see cref="Offset"/>, never
/// acknowledged. Once <see cref="MiniStoreLog.RepairTail"/> has cut them, <see cref="BrokenCopyPath"/> names the file
/// that keeps them. The place is a byte offset (<c>tail -c +$((Offset + 1))</c> shows it): opening reads only the end of
/// the file, so lines are not counted.
/// </summary>
public sealed record TornTail(string LogPath, long Offset, long Length, string Reason, string? BrokenCopyPath = null)
{
    public override string ToString() => BrokenCopyPath is null
        ? $"Torn tail of '{LogPath}': {Length} bytes from byte offset {Offset}: {Reason}."
        : $"Repaired torn tail of '{LogPath}': removed {Length} bytes from byte offset {Offset}: {Reason}. The removed bytes were saved to '{BrokenCopyPath}'.";
}
