using Akka.Configuration;
using MiniStore.Docs.Tests.Markdown;

namespace MiniStore.Docs.Tests;

/// <summary>
/// The pages' C# is compiled code: every ```csharp block is, verbatim, a region of this project's Snippets/ (which the
/// build compiles and the tests run where they can), and every region is shown somewhere. HOCON blocks parse.
/// </summary>
public class SnippetTests
{
    private static readonly string SnippetDirectory = Path.Combine(Repository.Root, "tests", "MiniStore.Docs.Tests", "Snippets");

    public static TheoryData<string> CheckedPages() =>
        new(Repository.Pages().Where(p => !Repository.KeptByMaintainer(p)).Select(Repository.Relative));

    [Theory]
    [MemberData(nameof(CheckedPages))]
    public void Every_csharp_block_is_a_compiled_snippet(string page)
    {
        var problems = SnippetCheck.Problems(MarkdownFile.Load(Path.Combine(Repository.Root, page)), Snippet.FindAll(SnippetDirectory)).ToList();
        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    [Fact]
    public void Every_snippet_is_shown_on_a_page()
    {
        var shown = Repository.Pages().Select(MarkdownFile.Load).SelectMany(p => p.CodeBlocks(SnippetCheck.CSharp)).Select(b => b.Text).ToHashSet();
        var unused = Snippet.FindAll(SnippetDirectory).Where(s => !shown.Contains(s.Text)).Select(s => s.ToString()).ToList();
        Assert.True(unused.Count == 0, "snippets no page shows (remove them or show them):\n" + string.Join('\n', unused));
    }

    [Theory]
    [MemberData(nameof(CheckedPages))]
    public void Every_hocon_block_parses(string page)
    {
        foreach (var block in MarkdownFile.Load(Path.Combine(Repository.Root, page)).CodeBlocks("hocon"))
        {
            var e = Record.Exception(() => ConfigurationFactory.ParseString(block.Text));
            Assert.True(e is null, $"{block}: HOCON does not parse: {e?.Message}");
        }
    }
}
