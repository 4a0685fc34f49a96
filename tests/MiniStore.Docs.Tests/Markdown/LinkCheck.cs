using System.Text.RegularExpressions;

namespace MiniStore.Docs.Tests.Markdown;

/// <summary>
/// The rule for links between the repository's pages: a relative link names a file or directory that exists inside
/// the repository, and its <c>#anchor</c>, when the target is a Markdown page, names one of that page's headings.
/// Links with a scheme (https:, mailto:) are left alone: checking them needs the network.
/// </summary>
public static partial class LinkCheck
{
    public static IEnumerable<string> Problems(MarkdownFile page, string repositoryRoot)
    {
        foreach (var (url, line) in page.Links())
        {
            if (url.Length == 0)
            {
                yield return $"{page.Path}:{line}: empty link";
                continue;
            }
            if (Scheme().IsMatch(url))
                continue;
            int hash = url.IndexOf('#');
            string pathPart = Uri.UnescapeDataString(hash < 0 ? url : url[..hash]);
            string? anchor = hash < 0 ? null : url[(hash + 1)..];

            string target = pathPart.Length == 0
                ? page.Path
                : System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(page.Path)!, pathPart));
            string root = System.IO.Path.GetFullPath(repositoryRoot).TrimEnd('/') + "/";
            if (!(target + "/").StartsWith(root, StringComparison.Ordinal))
            {
                yield return $"{page.Path}:{line}: link '{url}' leads outside the repository ({target})";
                continue;
            }
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                yield return $"{page.Path}:{line}: link '{url}': no such file or directory '{System.IO.Path.GetRelativePath(repositoryRoot, target)}'";
                continue;
            }
            if (anchor is not null && target.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && File.Exists(target))
            {
                var anchors = target == page.Path ? page.Anchors() : MarkdownFile.Load(target).Anchors();
                if (!anchors.Contains(anchor))
                    yield return $"{page.Path}:{line}: link '{url}': '{System.IO.Path.GetRelativePath(repositoryRoot, target)}' has no heading with the anchor '#{anchor}' (it has: {string.Join(", ", anchors.Order().Select(a => "#" + a))})";
            }
        }
    }

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();
}
