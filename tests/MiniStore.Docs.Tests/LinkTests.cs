using MiniStore.Docs.Tests.Markdown;

namespace MiniStore.Docs.Tests;

/// <summary>Every relative link of the README, the manual (docs/) and the package READMEs leads to a file and heading that exist.</summary>
public class LinkTests
{
    public static TheoryData<string> Pages() => new(Repository.Pages().Select(Repository.Relative));

    [Theory]
    [MemberData(nameof(Pages))]
    public void Relative_links_resolve(string page)
    {
        var problems = LinkCheck.Problems(MarkdownFile.Load(Path.Combine(Repository.Root, page)), Repository.Root).ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>nuget.org shows a package's README without the repository around it: a relative link there leads nowhere.</summary>
    [Theory]
    [MemberData(nameof(PackageReadmes))]
    public void Package_readmes_have_no_relative_links(string readme)
    {
        var page = MarkdownFile.Load(Path.Combine(Repository.Root, readme));
        var relative = page.Links().Where(l => !l.Url.Contains(':')).Select(l => $"{readme}:{l.Line}: {l.Url}").ToList();
        Assert.True(relative.Count == 0, "relative links in a package README:\n" + string.Join('\n', relative));
    }

    /// <summary>Package READMEs name the manual's pages as paths (docs/CONFIGURATION.md): each must exist.</summary>
    [Theory]
    [MemberData(nameof(PackageReadmes))]
    public void Pages_a_package_readme_names_exist(string readme)
    {
        string text = File.ReadAllText(Path.Combine(Repository.Root, readme));
        var missing = System.Text.RegularExpressions.Regex.Matches(text, @"docs/[A-Z]+\.md")
            .Select(m => m.Value).Distinct().Where(p => !File.Exists(Path.Combine(Repository.Root, p))).ToList();
        Assert.True(missing.Count == 0, $"{readme} names pages that do not exist: {string.Join(", ", missing)}");
    }

    public static TheoryData<string> PackageReadmes() => new(Repository.PackageReadmes().Select(Repository.Relative));
}
