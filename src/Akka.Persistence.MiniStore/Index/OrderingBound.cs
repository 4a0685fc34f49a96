using System.Text;
using System.Text.Json;
using Akka.Persistence.MiniStore.Serialization;

namespace Akka.Persistence.MiniStore.Index;

/// <summary>
/// The highest ordering a damaged log may hold, for a log whose end the engine cannot read (it refuses to open a log
/// whose last complete line is damage). Orderings handed out later must stay above every ordering that may exist, so
/// this errs high: every line that is JSON with a record (<c>"rec"</c>) carrying <c>"ord"</c> counts, whether its
/// checksum matches or not; lines that are not such JSON are passed over. Nothing is delivered from what it reads.
/// </summary>
internal static class OrderingBound
{
    public static long Of(string path)
    {
        long highest = 0;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
        using var lines = new StreamReader(file, new UTF8Encoding(false, throwOnInvalidBytes: false));
        while (lines.ReadLine() is { } line)
            if (OrderingIn(Encoding.UTF8.GetBytes(line)) is > 0 and var ordering)
                highest = Math.Max(highest, ordering);
        return highest;
    }

    private static long? OrderingIn(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isRecord = reader.ValueTextEquals("rec");
                reader.Read();
                if (isRecord && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        bool isOrdering = reader.ValueTextEquals(RecordFields.Ordering);
                        reader.Read();
                        if (isOrdering)
                            return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long ordering) ? ordering : null;
                        reader.Skip();
                    }
                    return null;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
