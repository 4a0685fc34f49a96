using MiniStore.Docs.Tests.Markdown;

namespace MiniStore.Docs.Tests;

/// <summary>The checks themselves catch what they are for: a broken link, a wrong anchor, a drifted snippet.</summary>
public sealed class CheckerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ministore-docs-checks-").FullName;

    private MarkdownFile Page(string name, string text)
    {
        string path = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return MarkdownFile.Load(path);
    }

    [Fact]
    public void Links_to_existing_files_and_headings_pass()
    {
        Page("docs/OPERATIONS.md", "# Operations\n\n## Lost events\n\ntext\n");
        var page = Page("README.md", "# Title\n\n## Use it\n\nSee [ops](docs/OPERATIONS.md#lost-events), [here](#use-it), [dir](docs) and [web](https://example.org/x).\n");
        Assert.Empty(LinkCheck.Problems(page, _root));
    }

    [Theory]
    [InlineData("[ops](docs/OPERATION.md)", "no such file")]
    [InlineData("[ops](docs/OPERATIONS.md#lost-event)", "no heading with the anchor '#lost-event'")]
    [InlineData("[here](#use)", "no heading with the anchor '#use'")]
    [InlineData("[out](../outside.md)", "outside the repository")]
    public void A_broken_link_is_reported_with_its_page_and_line(string link, string problem)
    {
        Page("docs/OPERATIONS.md", "# Operations\n\n## Lost events\n");
        var page = Page("README.md", $"# Title\n\n## Use it\n\nline four\n\nSee {link}.\n");
        var problems = LinkCheck.Problems(page, _root).ToList();
        var only = Assert.Single(problems);
        Assert.Contains(problem, only);
        Assert.StartsWith($"{page.Path}:7:", only);
    }

    [Fact]
    public void Links_inside_code_are_not_links()
    {
        var page = Page("README.md", "# T\n\n`[a](missing.md)`\n\n```md\n[b](missing.md)\n```\n");
        Assert.Empty(LinkCheck.Problems(page, _root));
    }

    [Fact]
    public void Headings_get_githubs_anchors()
    {
        var page = Page("docs/X.md", "# X\n\n## Akka.Hosting\n\n## Read journal: `akka.persistence.query.journal.ministore`\n\n## 2. Journal records (Akka.Persistence plugin)\n\n## Lost events\n\n## Lost events\n");
        Assert.Equal(
            new[] { "x", "akkahosting", "read-journal-akkapersistencequeryjournalministore", "2-journal-records-akkapersistence-plugin", "lost-events", "lost-events-1" }.Order(),
            page.Anchors().Order());
    }

    [Fact]
    public void A_csharp_block_that_drifted_from_its_snippet_is_reported()
    {
        var snippets = Snippet.Parse("Snippets/A.cs", ["class A {", "    void M() {", "        // begin-snippet: a", "        var x = 1;", "        Use(x);", "        // end-snippet", "    }", "}"]).ToList();
        Assert.Equal("var x = 1;\nUse(x);", Assert.Single(snippets).Text);

        var same = Page("same.md", "# S\n\n```csharp\nvar x = 1;\nUse(x);\n```\n");
        Assert.Empty(SnippetCheck.Problems(same, snippets));

        var drifted = Page("drifted.md", "# D\n\n```csharp\nvar x = 2;\nUse(x);\n```\n");
        var problem = Assert.Single(SnippetCheck.Problems(drifted, snippets));
        Assert.Contains($"{drifted.Path}:3", problem);
        Assert.Contains("snippet 'a'", problem);
        Assert.Contains("differs from line 1", problem);
    }

    [Fact]
    public void A_snippet_without_its_end_marker_is_an_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Snippet.Parse("B.cs", ["// begin-snippet: b", "x();"]).ToList());
        Assert.Contains("B.cs:1", e.Message);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
