using Xunit;
using Xunit.Abstractions;

namespace MiniStore.Packaging.Tests;

/// <summary>
/// The packages work without the source tree: packed into a local folder feed, the hosting package is added to a
/// fresh project outside the repository (nuget.config: that folder plus the machine's usual sources), which persists
/// and recovers events; the ministore tool, installed from the same feed, reads the logs it wrote.
/// </summary>
public sealed class LocalFeedInstallTests(ITestOutputHelper output) : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
    private static readonly string[] Packages = ["MiniStore", "Akka.Persistence.MiniStore", "Akka.Persistence.MiniStore.Hosting", "MiniStore.Cli"];
    private readonly string _work = Path.Combine(Path.GetTempPath(), "ministore-package-test-" + Guid.NewGuid().ToString("N")[..8]);
    // A version no other run used, so NuGet's package cache cannot hand back an older build of these packages.
    private readonly string _version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    private readonly Dotnet _dotnet = new(output);

    [Fact]
    public async Task Packed_hosting_package_and_tool_install_from_a_local_feed_and_work_in_a_fresh_project()
    {
        string feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        string app = Directory.CreateDirectory(Path.Combine(_work, "app")).FullName;
        string store = Path.Combine(_work, "store");

        foreach (var project in new[] { "src/MiniStore", "src/Akka.Persistence.MiniStore", "src/Akka.Persistence.MiniStore.Hosting", "tools/MiniStore.Cli" })
            await _dotnet.SucceedAsync(RepositoryRoot(), "pack", project, "--no-build", "-c", Configuration, "-o", feed, $"-p:Version={_version}");
        Assert.All(Packages, id => Assert.True(File.Exists(Path.Combine(feed, $"{id}.{_version}.nupkg")), $"{id} was not packed"));

        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="ministore-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Akka.Persistence.MiniStore.Hosting" Version="{_version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="9.0.0" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), AppSource);

        await _dotnet.SucceedAsync(app, "build", "-c", "Release", "-o", Path.Combine(app, "out"));
        string dll = Path.Combine(app, "out", "App.dll");
        Assert.Contains("recovered 0, now 3", await _dotnet.SucceedAsync(app, dll, store));
        Assert.Contains("recovered 3, now 6", await _dotnet.SucceedAsync(app, dll, store)); // from the files the first run wrote

        string tools = Path.Combine(_work, "tools");
        await _dotnet.SucceedAsync(app, "tool", "install", "MiniStore.Cli", "--version", _version, "--tool-path", tools, "--add-source", feed);
        string ministore = Path.Combine(tools, OperatingSystem.IsWindows() ? "ministore.exe" : "ministore");
        var (lsCode, ls) = await _dotnet.RunAsync(app, ministore, "ls", store);
        Assert.Equal(0, lsCode);
        var row = ls.Split('\n').Single(l => l.StartsWith("package-test"));
        Assert.Equal(["package-test", "6", "6"], row.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[..3]);
        var (verifyCode, verify) = await _dotnet.RunAsync(app, ministore, "verify", store);
        Assert.Equal(0, verifyCode);
        Assert.Contains("clean", verify);
    }

    private const string AppSource = """
        using Akka.Actor;
        using Akka.Hosting;
        using Akka.Persistence;
        using Akka.Persistence.MiniStore.Hosting;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("package-test", akka => akka
            .WithMiniStorePersistence(args[0])
            .WithActors((system, registry) => registry.Register<Tally>(system.ActorOf(Props.Create(() => new Tally()), "tally"))));
        using var host = builder.Build();
        await host.StartAsync();
        var tally = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<Tally>();
        int recovered = await tally.Ask<int>("count", TimeSpan.FromSeconds(30));
        for (int i = 0; i < 3; i++)
            await tally.Ask<int>("add", TimeSpan.FromSeconds(30));
        Console.WriteLine($"recovered {recovered}, now {await tally.Ask<int>("count", TimeSpan.FromSeconds(30))}");
        await host.StopAsync();

        sealed class Tally : ReceivePersistentActor
        {
            private int _count;
            public override string PersistenceId => "package-test";
            public Tally()
            {
                Recover<string>(_ => _count++);
                Command<string>(c => c == "count", _ => Sender.Tell(_count));
                Command<string>(c => c == "add", c => Persist(c, _ => { _count++; Sender.Tell(_count); }));
            }
        }
        """;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MiniStore.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"MiniStore.sln not found above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
        // The test's packages went into NuGet's global package folder under a version used once: remove them.
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in Packages)
            try { Directory.Delete(Path.Combine(cache, id.ToLowerInvariant(), _version), recursive: true); } catch (IOException) { }
    }
}
