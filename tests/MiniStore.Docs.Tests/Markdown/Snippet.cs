using System.Text.RegularExpressions;

namespace MiniStore.Docs.Tests.Markdown;

/// <summary>
/// A region of compiled code between <c>// begin-snippet: NAME</c> and <c>// end-snippet</c>: the text a page shows in a
/// C# code block, verbatim (less the region's common indentation), so that what a reader copies is what the build compiles.
/// </summary>
public sealed partial record Snippet(string Name, string File, int Line, string Text)
{
    public override string ToString() => $"snippet '{Name}' ({File}:{Line})";

    /// <summary>Every region in the C# files under <paramref name="directory"/>.</summary>
    public static IReadOnlyList<Snippet> FindAll(string directory) =>
        Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}") && !f.Contains($"{System.IO.Path.DirectorySeparatorChar}bin{System.IO.Path.DirectorySeparatorChar}"))
            .Order(StringComparer.Ordinal)
            .SelectMany(f => Parse(f, System.IO.File.ReadAllLines(f)))
            .ToList();

    public static IEnumerable<Snippet> Parse(string file, IReadOnlyList<string> lines)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            var begin = Begin().Match(lines[i]);
            if (!begin.Success)
                continue;
            int end = i + 1;
            while (end < lines.Count && !End().IsMatch(lines[end]))
                end++;
            if (end == lines.Count)
                throw new InvalidOperationException($"{file}:{i + 1}: snippet '{begin.Groups[1].Value}' has no '// end-snippet'");
            yield return new Snippet(begin.Groups[1].Value, file, i + 1, Normalize(string.Join('\n', lines.Skip(i + 1).Take(end - i - 1))));
            i = end;
        }
    }

    /// <summary>Text as compared: '\n' line ends, no trailing spaces, no blank lines around it, common indentation removed.</summary>
    public static string Normalize(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[0].Length == 0) lines.RemoveAt(0);
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        int indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l));
    }

    [GeneratedRegex(@"^\s*// begin-snippet: (\S+)\s*$")]
    private static partial Regex Begin();

    [GeneratedRegex(@"^\s*// end-snippet\s*$")]
    private static partial Regex End();
}
