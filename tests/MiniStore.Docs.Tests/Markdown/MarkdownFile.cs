using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Syntax;
using Markdig.Renderers.Html;
using Markdig.Syntax.Inlines;

namespace MiniStore.Docs.Tests.Markdown;

/// <summary>
/// A Markdown page parsed as GitHub renders it (CommonMark, pipe tables, GitHub's heading ids), so that links, anchors
/// and code blocks are found where a reader sees them and not inside code.
/// </summary>
public sealed class MarkdownFile
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .Build();

    private readonly MarkdownDocument _document;

    public MarkdownFile(string path, string text)
    {
        Path = path;
        _document = Markdig.Markdown.Parse(text, Pipeline);
    }

    public static MarkdownFile Load(string path) => new(path, File.ReadAllText(path));

    /// <summary>Full path of the page.</summary>
    public string Path { get; }

    /// <summary>Every link and image target with its 1-based line.</summary>
    public IEnumerable<(string Url, int Line)> Links() =>
        _document.Descendants<LinkInline>().Where(l => l.Url is not null).Select(l => (l.Url!, l.Line + 1));

    /// <summary>The anchors GitHub gives the page's headings (<c>## Lost events</c> is <c>#lost-events</c>).</summary>
    public IReadOnlySet<string> Anchors() =>
        _document.Descendants<HeadingBlock>().Select(h => h.GetAttributes().Id).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>The headings' text, in order.</summary>
    public IEnumerable<string> Headings() =>
        _document.Descendants<HeadingBlock>().Select(h => string.Concat(h.Inline?.Descendants<LiteralInline>().Select(l => l.Content.ToString()) ?? []));

    /// <summary>The fenced code blocks whose info string is one of <paramref name="languages"/>, each as its text and 1-based first line.</summary>
    public IEnumerable<CodeBlockText> CodeBlocks(params string[] languages) =>
        _document.Descendants<FencedCodeBlock>()
            .Where(b => languages.Contains(b.Info ?? "", StringComparer.OrdinalIgnoreCase))
            .Select(b => new CodeBlockText(this, b.Line + 1, Snippet.Normalize(b.Lines.ToString())));
}

/// <summary>The text of one code block of a page.</summary>
public sealed record CodeBlockText(MarkdownFile File, int Line, string Text)
{
    public override string ToString() => $"{File.Path}:{Line}";
}
