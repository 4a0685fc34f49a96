using System.Text.RegularExpressions;

namespace MiniStore.Docs.Tests.Markdown;

/// <summary>A page's text cut at its headings: what a reader finds under a heading, up to the next one of the same or a higher level.</summary>
public sealed partial class PageSections(string text)
{
    private readonly string[] _lines = text.Replace("\r\n", "\n").Split('\n');

    public string Text { get; } = text;

    /// <summary>The text under every heading whose title contains <paramref name="titlePart"/>.</summary>
    public IEnumerable<string> Under(string titlePart)
    {
        for (int i = 0; i < _lines.Length; i++)
        {
            var heading = Heading().Match(_lines[i]);
            if (!heading.Success || !heading.Groups[2].Value.Contains(titlePart, StringComparison.Ordinal))
                continue;
            int level = heading.Groups[1].Length, end = i + 1;
            while (end < _lines.Length && !(Heading().Match(_lines[end]) is { Success: true } next && next.Groups[1].Length <= level))
                end++;
            yield return string.Join('\n', _lines[i..end]);
        }
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex Heading();
}
