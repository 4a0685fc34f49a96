namespace MiniStore.Docs.Tests.Markdown;

/// <summary>Where the repository's pages are: found from the test's own directory, up to the folder holding MiniStore.sln.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Pages checked for links and snippets: the README, the manual in docs/, and each package's README.</summary>
    public static IEnumerable<string> Pages() =>
        new[] { Path.Combine(Root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md"))
            .Concat(PackageReadmes())
            .Order(StringComparer.Ordinal);

    /// <summary>The README of each project that is packed (src/*/README.md, tools/*/README.md).</summary>
    public static IEnumerable<string> PackageReadmes() =>
        new[] { "src", "tools" }
            .SelectMany(d => Directory.EnumerateDirectories(Path.Combine(Root, d)))
            .Select(d => Path.Combine(d, "README.md"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal);

    /// <summary>Pages kept by the maintainer with figures and traces of their own; their links are checked, their code blocks are not snippets.</summary>
    public static bool KeptByMaintainer(string page) =>
        page == Path.Combine(Root, "docs", "ARCHITECTURE.md") || page == Path.Combine(Root, "docs", "PERFORMANCE.md");

    public static string Relative(string path) => Path.GetRelativePath(Root, path);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MiniStore.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No MiniStore.sln above {AppContext.BaseDirectory}");
    }
}
