using System.Text;

namespace MiniStore.Cli.Output;

/// <summary>
/// Text from a store (persistence ids, tags, payloads, file names) shown to a person. A persistence id may hold any
/// character, a file name almost any: printed raw, a line break would forge a line of output, an escape sequence would
/// drive the terminal. Every human-readable output goes through <see cref="Escape"/>: control characters, Unicode line
/// separators, bidirectional overrides and lone surrogates are written as <c>\n</c>, <c>\0</c>, <c>\u001b</c>.
/// Machine output (<c>cat --json</c>) is JSON and stays as stored.
/// </summary>
internal static class Printable
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text ?? "";
        int first = FirstToEscape(text);
        if (first < 0)
            return text;
        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[++i]);
                continue;
            }
            switch (c)
            {
                case '\n': escaped.Append("\\n"); break;
                case '\r': escaped.Append("\\r"); break;
                case '\t': escaped.Append("\\t"); break;
                case '\0': escaped.Append("\\0"); break;
                default:
                    if (MustEscape(c)) escaped.Append("\\u").Append(((int)c).ToString("x4"));
                    else escaped.Append(c);
                    break;
            }
        }
        return escaped.ToString();
    }

    private static int FirstToEscape(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (MustEscape(c))
                return i;
        }
        return -1;
    }

    private static bool MustEscape(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');
}
