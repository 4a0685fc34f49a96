using System.Globalization;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>Timestamps in records: ISO-8601 UTC with 100 ns precision, so they read well and round-trip exact ticks.</summary>
internal static class RecordTimestamp
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ToText(long utcTicks) => new DateTime(utcTicks, DateTimeKind.Utc).ToString(Format, CultureInfo.InvariantCulture);

    public static long Parse(string text) =>
        DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal).Ticks;
}
