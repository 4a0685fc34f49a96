using System.Text.Json;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>
/// A string as a JSON writer encodes it, encoded again only when a record has a different one than the record before
/// (records written one after another mostly repeat their persistence id and writer). The writing side of <see cref="RepeatedString"/>.
/// </summary>
internal sealed class RepeatedText
{
    private string? _text;
    private JsonEncodedText _encoded;

    public JsonEncodedText Of(string text)
    {
        if (!ReferenceEquals(text, _text) && text != _text)
        {
            _encoded = JsonEncodedText.Encode(text);
            _text = text;
        }
        return _encoded;
    }
}
