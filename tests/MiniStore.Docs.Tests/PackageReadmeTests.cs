using MiniStore.Docs.Tests.Markdown;

namespace MiniStore.Docs.Tests;

/// <summary>
/// Directory.Build.props packs the README.md beside each packable project into its package: each must have one, and
/// it must be about that package (its title is the package id), not the repository's README.
/// </summary>
public class PackageReadmeTests
{
    public static TheoryData<string> PackableProjects() => new(
        new[] { "src", "tools" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Repository.Root, d), "*.csproj", SearchOption.AllDirectories))
            .Where(p => File.ReadAllText(p).Contains("<IsPackable>true</IsPackable>"))
            .Select(Repository.Relative)
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(PackableProjects))]
    public void Each_packable_project_has_a_readme_of_its_own(string project)
    {
        string readme = Path.Combine(Repository.Root, Path.GetDirectoryName(project)!, "README.md");
        Assert.True(File.Exists(readme), $"{project} is packed with {Repository.Relative(readme)}, which does not exist");
        string packageId = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(Repository.Root, project)), "<PackageId>([^<]+)</PackageId>") is { Success: true } m
            ? m.Groups[1].Value
            : Path.GetFileNameWithoutExtension(project);
        Assert.Equal($"# {packageId}", File.ReadLines(readme).First());
    }
}
