using System.Text.Json;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>
/// One string field as read from consecutive records of a log (the writer, the manifest, the payload type): the
/// records of one log mostly repeat the previous record's value, which is then returned again instead of a new string.
/// Not thread-safe: one per reading of a log.
/// </summary>
internal sealed class RepeatedString
{
    private byte[] _utf8 = [];
    private string? _value;

    /// <summary>Starts with <paramref name="expected"/> as the previous value (e.g. the persistence id a log belongs to).</summary>
    public RepeatedString(string? expected = null)
    {
        if (expected is not null)
        {
            _value = expected;
            _utf8 = System.Text.Encoding.UTF8.GetBytes(expected);
        }
    }

    /// <summary>The string value the reader is on (null for a JSON null).</summary>
    public string? Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
            return reader.GetString();
        var utf8 = reader.ValueSpan;
        if (_value is null || !utf8.SequenceEqual(_utf8))
        {
            _value = reader.GetString()!;
            _utf8 = utf8.ToArray();
        }
        return _value;
    }
}
