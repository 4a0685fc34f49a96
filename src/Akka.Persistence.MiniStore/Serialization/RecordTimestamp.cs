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
        if (reader.TokenType == System.Text.Json.JsonTokenType.String && !reader.HasValueSequence && reader.ValueSpan.Length == 28)
        {
            if (TryReadWritten(reader.ValueSpan, out long ticks))
                return ticks;
            if (reader.TryGetDateTime(out var value) && value.Kind == DateTimeKind.Utc)
                return value.Ticks;
        }
        return Parse(reader.GetString()!);
    }

    /// <summary>
    /// Reads exactly the form <see cref="ToText"/> writes, digit by digit (replay reads one per event); false for
    /// anything else, which the general parsers then read or reject.
    /// </summary>
    private static bool TryReadWritten(ReadOnlySpan<byte> text, out long ticks)
    {
        ticks = 0;
        if (text.Length != 28 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != '.' || text[27] != 'Z')
            return false;
        if (!TryDigits(text[..4], out int year) || !TryDigits(text[5..7], out int month) || !TryDigits(text[8..10], out int day)
            || !TryDigits(text[11..13], out int hour) || !TryDigits(text[14..16], out int minute) || !TryDigits(text[17..19], out int second)
            || !TryDigits(text[20..27], out int fraction))
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return false;
        ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (byte c in digits)
        {
            if (c is < (byte)'0' or > (byte)'9')
                return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    public static long Parse(string text) =>
        DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal).Ticks;
}
