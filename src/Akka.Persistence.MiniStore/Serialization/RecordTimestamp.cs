using System.Globalization;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>Timestamps in records: ISO-8601 UTC with 100 ns precision, so they read well and round-trip exact ticks.</summary>
internal static class RecordTimestamp
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ToText(long utcTicks) => new DateTime(utcTicks, DateTimeKind.Utc).ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Reads the timestamp the reader is on without allocating when it has the exact written form.</summary>
    public static long Read(ref System.Text.Json.Utf8JsonReader reader)
    {
        // "yyyy-MM-ddTHH:mm:ss.fffffffZ" is 28 characters; System.Text.Json reads that ISO form as a UTC DateTime.
        if (reader.TokenType == System.Text.Json.JsonTokenType.String && !reader.HasValueSequence && reader.ValueSpan.Length == 28
            && reader.TryGetDateTime(out var value) && value.Kind == DateTimeKind.Utc)
            return value.Ticks;
        return Parse(reader.GetString()!);
    }

    public static long Parse(string text) =>
        DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal).Ticks;
}
