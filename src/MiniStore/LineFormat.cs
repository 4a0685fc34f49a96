using System.Text.Json;

namespace MiniStore;

/// <summary>
/// The log line format (docs/FORMAT.md is the specification): each record is one line,
/// <code>{"crc":"&lt;8 hex&gt;","rec":&lt;record&gt;}\n</code>  or, for every line of an atomic batch but its last,
/// <code>{"crc":"&lt;8 hex&gt;","more":true,"rec":&lt;record&gt;}\n</code>
/// The CRC-32C covers every byte between <c>{"crc":"XXXXXXXX",</c> and the closing <c>}</c>. A batch (a "frame") is
/// complete once its line without "more" is there.
/// </summary>
public static class LineFormat
{
    /// <summary>The most bytes a line adds around a record (checksum header, batch flag, field name, closing brace, newline).</summary>
    public const int MaxFramingLength = 38;

    internal static ReadOnlySpan<byte> CrcPrefix => "{\"crc\":\""u8;
    private static ReadOnlySpan<byte> RecordField => "\"rec\":"u8;
    private static ReadOnlySpan<byte> MoreField => "\"more\":true,"u8;
    private const int HeaderLength = 18; // {"crc":"XXXXXXXX",

    /// <summary>
    /// Why a record cannot be stored, or null when it can: it must be one complete JSON value with no raw line break,
    /// so that the line stays one JSON object that jq can read and the decoder can find its end. Without
    /// <paramref name="parse"/> only the cheap checks run (see <see cref="MiniStoreOptions.ParseRecords"/>).
    /// </summary>
    public static string? RecordProblem(ReadOnlySpan<byte> record, bool parse = true)
    {
        if (record.IsEmpty)
            return "it must be a JSON value; got zero bytes";
        int lineBreak = record.IndexOfAny((byte)'\n', (byte)'\r');
        if (lineBreak >= 0)
            return $"it must be compact JSON on one line; it contains a raw line break at byte {lineBreak}";
        if (!parse)
            return null;
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read()) throw new JsonException("no JSON value");
            reader.Skip();
            if (reader.Read()) throw new JsonException("more than one JSON value");
            return null;
        }
        catch (JsonException e)
        {
            return $"it must be exactly one JSON value: {e.Message}";
        }
    }

    /// <summary>Writes the lines of one atomic batch into <paramref name="output"/> (room for <see cref="MaxFramingLength"/> more bytes than each record); returns the bytes written.</summary>
    internal static int EncodeBatch(IReadOnlyList<ReadOnlyMemory<byte>> records, Span<byte> output)
    {
        int written = 0;
        for (int i = 0; i < records.Count; i++)
        {
            bool more = i < records.Count - 1;
            var record = records[i].Span;
            int bodyLength = (more ? MoreField.Length : 0) + RecordField.Length + record.Length;
            var line = output.Slice(written, HeaderLength + bodyLength + 2);
            var body = line.Slice(HeaderLength, bodyLength);
            if (more) MoreField.CopyTo(body);
            RecordField.CopyTo(body[(more ? MoreField.Length : 0)..]);
            record.CopyTo(body[^record.Length..]);
            CrcPrefix.CopyTo(line);
            uint crc = Crc32C.Compute(body);
            for (int d = 7; d >= 0; d--, crc >>= 4)
                line[CrcPrefix.Length + d] = (byte)"0123456789abcdef"[(int)(crc & 0xF)];
            line[16] = (byte)'"';
            line[17] = (byte)',';
            line[^2] = (byte)'}';
            line[^1] = (byte)'\n';
            written += line.Length;
        }
        return written;
    }

    /// <summary>Decodes one line (the bytes before its '\n'). It checks the frame and the CRC, never parses the record.</summary>
    internal static DecodedLine Decode(ReadOnlySpan<byte> line)
    {
        if (line.Length < HeaderLength + RecordField.Length + 2)
            return new DecodedLine(line.IsEmpty ? "empty line" : $"line too short ({line.Length} bytes) to hold a checksum and a record");
        if (!line.StartsWith(CrcPrefix) || line[16] != '"' || line[17] != ',')
            return new DecodedLine("line does not start with {\"crc\":\"<8 hex digits>\"");
        uint expected = 0;
        foreach (byte c in line.Slice(CrcPrefix.Length, 8))
        {
            int digit = c is >= (byte)'0' and <= (byte)'9' ? c - '0' : c is >= (byte)'a' and <= (byte)'f' ? c - 'a' + 10 : -1;
            if (digit < 0)
                return new DecodedLine("checksum is not 8 hex digits");
            expected = (expected << 4) | (uint)digit;
        }
        if (line[^1] != '}')
            return new DecodedLine("line does not end with '}'");

        var body = line[HeaderLength..^1];
        uint actual = Crc32C.Compute(body);
        if (actual != expected)
            return IsWellFormedJson(line)
                ? new DecodedLine($"checksum mismatch: line says {expected:x8}, content hashes to {actual:x8}; the line is whole, well-formed JSON, " +
                                  "so it was changed after it was written (an edit or bit rot), not cut short by a crash", altered: true)
                : new DecodedLine($"checksum mismatch: line says {expected:x8}, content hashes to {actual:x8}");

        bool more = body.StartsWith(MoreField);
        int fieldStart = more ? MoreField.Length : 0;
        if (!body[fieldStart..].StartsWith(RecordField))
            return new DecodedLine("checksum matches but the line has no \"rec\" field where expected");
        int recordStart = HeaderLength + fieldStart + RecordField.Length;
        return new DecodedLine(recordStart, line.Length - 1 - recordStart, more);
    }

    internal const string NotATornTail = ", and intact data follows it, so it is not a torn tail";
    internal const string NotCutShort = "line does not start with {\"crc\":\", so it is not a write cut short by a crash: the file is not a MiniStore log, or it was changed";

    /// <summary>
    /// A crash leaves the start of a line, a power loss blocks of zeros. A damaged complete last line whose first bytes
    /// (up to 8, its '\n' included when among them) are otherwise was not cut short by either: the file is not a
    /// MiniStore log (or was edited), and nothing of it may be cut off.
    /// </summary>
    internal static bool MayBeCutShort(ReadOnlySpan<byte> start) =>
        start.IsEmpty || start[0] is 0 or (byte)'\n' || CrcPrefix.StartsWith(start);

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
}

/// <summary>
/// The result of decoding one log line (the bytes before its '\n'): where its record is and whether more lines of the
/// same atomic batch follow (<see cref="More"/>), or why it is damaged (<see cref="Error"/>). <see cref="IsAltered"/>:
/// the line is whole, well-formed JSON, yet its checksum does not match: it was changed after it was written (an edit,
/// bit rot). A crash leaves the start of a line and a power loss zeros, never this, so it is never a torn tail.
/// </summary>
internal readonly record struct DecodedLine(int RecordStart, int RecordLength, bool More, string? Error = null, bool IsAltered = false)
{
    public DecodedLine(string error, bool altered = false) : this(0, 0, false, error, altered) { }

    public bool IsValid => Error is null;
}
