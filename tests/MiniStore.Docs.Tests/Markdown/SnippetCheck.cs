namespace MiniStore.Docs.Tests.Markdown;

/// <summary>The rule for C# on a page: each ```csharp block is a <see cref="Snippet"/>'s text, character for character.</summary>
public static class SnippetCheck
{
    public static readonly string[] CSharp = ["csharp", "cs", "c#"];

    public static IEnumerable<string> Problems(MarkdownFile page, IReadOnlyList<Snippet> snippets)
    {
        var byText = snippets.ToLookup(s => s.Text);
        foreach (var block in page.CodeBlocks(CSharp))
        {
            if (byText.Contains(block.Text))
                continue;
            var closest = snippets.OrderByDescending(s => SharedLines(s.Text, block.Text)).FirstOrDefault();
            yield return closest is null
                ? $"{block}: this C# block is no snippet (put it between '// begin-snippet: NAME' and '// end-snippet' in tests/MiniStore.Docs.Tests/Snippets)"
                : $"{block}: this C# block is no snippet; the closest, {closest}, differs from line {LineOfFirstDifference(closest.Text, block.Text)}:\n--- page\n{block.Text}\n--- snippet\n{closest.Text}";
        }
    }

    private static int SharedLines(string a, string b) => a.Split('\n').Intersect(b.Split('\n')).Count();

    private static int CommonPrefix(string a, string b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }

    private static int LineOfFirstDifference(string a, string b) => a[..CommonPrefix(a, b)].Count(c => c == '\n') + 1;
}
