using System.Text.Json;

namespace MiniStore;

/// <summary>The result of decoding one log line (the bytes before its '\n').</summary>
internal readonly struct DecodedLine
{
    public DecodedLine(int recordStart, int recordLength, bool more)
    {
        RecordStart = recordStart;
        RecordLength = recordLength;
        More = more;
        Error = null;
    }

    public DecodedLine(string error, bool altered = false)
    {
        Error = error;
        IsAltered = altered;
        RecordStart = RecordLength = 0;
        More = false;
    }

    /// <summary>Why the line is damaged, or null when it is intact.</summary>
    public string? Error { get; }
    public bool IsValid => Error is null;
    public int RecordStart { get; }
    public int RecordLength { get; }
    /// <summary>True when more lines of the same atomic batch follow.</summary>
    public bool More { get; }
    /// <summary>
    /// The line is whole, well-formed JSON, yet its checksum does not match: it was changed after it was written (an
    /// edit, bit rot). A crash leaves the start of a line and a power loss zeros, never this, so it is never a torn tail.
    /// </summary>
    public bool IsAltered { get; }
}

/// <summary>Reads log lines written by <see cref="LineEncoder"/>. It checks the frame and the CRC, never parses the record.</summary>
internal static class LineDecoder
{
    internal static DecodedLine Decode(ReadOnlySpan<byte> line)
    {
        int minimum = LineEncoder.HeaderLength + LineEncoder.RecordField.Length + 2;
        if (line.Length < minimum)
            return new DecodedLine(line.IsEmpty ? "empty line" : $"line too short ({line.Length} bytes) to hold a checksum and a record");
        if (!line.StartsWith(LineEncoder.CrcPrefix) || line[16] != '"' || line[17] != ',')
            return new DecodedLine("line does not start with {\"crc\":\"<8 hex digits>\",");
        if (!TryParseHex(line.Slice(LineEncoder.CrcPrefix.Length, 8), out uint expected))
            return new DecodedLine("checksum is not 8 hex digits");
        if (line[^1] != '}')
            return new DecodedLine("line does not end with '}'");

        var body = line[LineEncoder.HeaderLength..^1];
        uint actual = Crc32C.Compute(body);
        if (actual != expected)
            return IsWellFormedJson(line)
                ? new DecodedLine($"checksum mismatch: line says {expected:x8}, content hashes to {actual:x8}; the line is whole, well-formed JSON, " +
                                  "so it was changed after it was written (an edit or bit rot), not cut short by a crash", altered: true)
                : new DecodedLine($"checksum mismatch: line says {expected:x8}, content hashes to {actual:x8}");

        bool more = body.StartsWith(LineEncoder.MoreField);
        int fieldStart = more ? LineEncoder.MoreField.Length : 0;
        if (!body[fieldStart..].StartsWith(LineEncoder.RecordField))
            return new DecodedLine("checksum matches but the line has no \"rec\" field where expected");
        int recordStart = LineEncoder.HeaderLength + fieldStart + LineEncoder.RecordField.Length;
        return new DecodedLine(recordStart, line.Length - 1 - recordStart, more);
    }

    internal const string NotATornTail = ", and intact data follows it, so it is not a torn tail";
    internal const string NotCutShort = "line does not start with {\"crc\":\", so it is not a write cut short by a crash: the file is not a MiniStore log, or it was changed";

    /// <summary>
    /// A crash leaves the start of a line, a power loss blocks of zeros. A damaged last line whose first bytes
    /// (<paramref name="start"/>: up to 8, its '\n' included when among them) are otherwise was not cut short by either:
    /// the file is not a MiniStore log (or was edited), and nothing of it may be cut off.
    /// </summary>
    internal static bool MayBeCutShort(ReadOnlySpan<byte> start) =>
        start.IsEmpty || start[0] is 0 or (byte)'\n' || LineEncoder.CrcPrefix.StartsWith(start);

    private static bool IsWellFormedJson(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        try
        {
            while (reader.Read())
            {
            }
            return reader.BytesConsumed == line.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryParseHex(ReadOnlySpan<byte> hex, out uint value)
    {
        value = 0;
        foreach (var c in hex)
        {
            int digit = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                _ => -1,
            };
            if (digit < 0) return false;
            value = (value << 4) | (uint)digit;
        }
        return true;
    }
}
