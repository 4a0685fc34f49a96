using System.Text.Json;

namespace MiniStore;

/// <summary>
/// Writes records as log lines. The mirror image of <see cref="LineDecoder"/>; docs/FORMAT.md is the specification.
/// <code>{"crc":"&lt;8 hex&gt;","rec":&lt;record&gt;}\n</code>  or, for every line of a batch but its last,
/// <code>{"crc":"&lt;8 hex&gt;","more":true,"rec":&lt;record&gt;}\n</code>
/// The CRC-32C covers every byte between <c>{"crc":"XXXXXXXX",</c> and the closing <c>}</c>.
/// </summary>
internal static class LineEncoder
{
    internal static ReadOnlySpan<byte> CrcPrefix => "{\"crc\":\""u8;
    internal static ReadOnlySpan<byte> RecordField => "\"rec\":"u8;
    internal static ReadOnlySpan<byte> MoreField => "\"more\":true,"u8;
    internal const int HeaderLength = 18; // {"crc":"XXXXXXXX",
    internal const int MaxFramingLength = 38; // header, "more":true, "rec":, '}' and '\n' around a record

    /// <summary>
    /// Writes the lines of one atomic batch at the start of <paramref name="output"/>, which has room for
    /// <see cref="MaxFramingLength"/> more bytes than each record; returns the bytes written.
    /// </summary>
    internal static int EncodeBatch(IReadOnlyList<ReadOnlyMemory<byte>> records, Span<byte> output)
    {
        int written = 0;
        for (int i = 0; i < records.Count; i++)
            written += EncodeLine(records[i].Span, more: i < records.Count - 1, output[written..]);
        return written;
    }

    private static int EncodeLine(ReadOnlySpan<byte> record, bool more, Span<byte> output)
    {
        int bodyLength = (more ? MoreField.Length : 0) + RecordField.Length + record.Length;
        int total = HeaderLength + bodyLength + 2;
        var line = output[..total];

        var body = line.Slice(HeaderLength, bodyLength);
        int at = 0;
        if (more) { MoreField.CopyTo(body); at = MoreField.Length; }
        RecordField.CopyTo(body[at..]);
        record.CopyTo(body[(at + RecordField.Length)..]);

        CrcPrefix.CopyTo(line);
        WriteHex(Crc32C.Compute(body), line.Slice(CrcPrefix.Length, 8));
        line[16] = (byte)'"';
        line[17] = (byte)',';
        line[total - 2] = (byte)'}';
        line[total - 1] = (byte)'\n';
        return total;
    }

    /// <summary>
    /// Why a record cannot be stored, or null when it can: it must be one complete JSON value with no raw line break,
    /// so that the line stays one JSON object that jq can read and the decoder can find its end. Without
    /// <paramref name="parse"/> only the cheap checks run (see <c>MiniStoreLog.AppendWrittenJsonBatchesAsync</c>).
    /// </summary>
    internal static string? RecordProblem(ReadOnlySpan<byte> record, bool parse = true)
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
            var reader = new Utf8JsonReader(record, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
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

    private static void WriteHex(uint value, Span<byte> destination)
    {
        const string digits = "0123456789abcdef";
        for (int i = 7; i >= 0; i--)
        {
            destination[i] = (byte)digits[(int)(value & 0xF)];
            value >>= 4;
        }
    }
}
