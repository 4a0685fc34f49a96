using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Hosting;
using MiniStore.Cli;
using MiniStore.Docs.Tests.Markdown;

namespace MiniStore.Docs.Tests;

/// <summary>
/// The reference pages name everything they are the reference of, read from the code itself: a key added to
/// reference.conf, a Hosting option, an instrument, a CLI command or option, an exit code, each fails here until the
/// manual describes it.
/// </summary>
public class ManualCoverageTests
{
    private static PageSections Page(string name) => new(File.ReadAllText(Path.Combine(Repository.Root, "docs", name)));

    [Fact]
    public void Configuration_describes_every_key_of_reference_conf()
    {
        var page = Page("CONFIGURATION.md");
        var missing = LeafKeys(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(Repository.Root, "HOCON", "reference.conf"))).Root, "")
            .Where(path =>
            {
                int dot = path.LastIndexOf('.');
                string section = path[..dot], key = path[(dot + 1)..];
                return !page.Text.Contains($"`{path}`") && !page.Under($"`{section}`").Any(text => text.Contains($"`{key}`"));
            })
            .ToList();
        Assert.True(missing.Count == 0, "docs/CONFIGURATION.md does not describe: " + string.Join(", ", missing));
    }

    [Fact]
    public void Configuration_describes_every_hosting_option_and_parameter()
    {
        string text = Page("CONFIGURATION.md").Text;
        var names = new[] { typeof(MiniStoreJournalOptions), typeof(MiniStoreSnapshotOptions), typeof(MiniStoreQueryOptions) }
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(p => p.CanWrite).Select(p => $"{t.Name}.{p.Name}"))
            .Concat(typeof(MiniStoreHostingExtensions).GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Where(m => m.Name == nameof(MiniStoreHostingExtensions.WithMiniStorePersistence))
                .SelectMany(m => m.GetParameters().Skip(1)).Select(p => $"WithMiniStorePersistence({p.Name})"))
            .Distinct();
        var missing = names.Where(n => !text.Contains($"`{Regex.Match(n, @"[\.(](\w+)\)?$").Groups[1].Value}`")).ToList();
        Assert.True(missing.Count == 0, "docs/CONFIGURATION.md does not describe: " + string.Join(", ", missing));
    }

    [Fact]
    public void Operations_lists_every_instrument_with_its_unit()
    {
        var instruments = new List<Instrument>();
        using var listener = new MeterListener { InstrumentPublished = (instrument, _) => { if (instrument.Meter.Name == MiniStoreMetrics.MeterName) instruments.Add(instrument); } };
        RuntimeHelpers.RunClassConstructor(typeof(MiniStoreMetrics).TypeHandle);
        listener.Start();
        Assert.NotEmpty(instruments);

        var rows = Page("OPERATIONS.md").Under("Metrics").Single().Split('\n').Where(l => l.StartsWith('|')).ToList();
        var missing = instruments
            .Where(i => !rows.Any(row => row.Contains($"`{i.Name}`") && row.Contains($"`{i.Unit}`")))
            .Select(i => $"{i.Name} ({i.Unit})").ToList();
        Assert.True(missing.Count == 0, "docs/OPERATIONS.md's Metrics table lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Cli_describes_every_command_and_option()
    {
        var page = Page("CLI.md");
        var missing = new List<string>();
        foreach (var command in MiniStoreCli.Build().Subcommands)
        {
            var section = page.Under($"`{command.Name} ").Concat(page.Under($"`{command.Name}`")).FirstOrDefault();
            if (section is null)
            {
                missing.Add($"a section for '{command.Name}'");
                continue;
            }
            missing.AddRange(command.Options.Where(o => o.Name is not ("--help" or "-h" or "-?")).Where(o => !section.Contains(o.Name)).Select(o => $"{command.Name} {o.Name}"));
        }
        Assert.True(missing.Count == 0, "docs/CLI.md does not describe: " + string.Join(", ", missing));
    }

    [Fact]
    public void Cli_lists_every_exit_code()
    {
        string codes = Page("CLI.md").Under("Exit codes").Single();
        var missing = typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => !codes.Contains($"\n| {f.GetValue(null)} |"))
            .Select(f => $"{f.Name} = {f.GetValue(null)}").ToList();
        Assert.True(missing.Count == 0, "docs/CLI.md's exit codes lack: " + string.Join(", ", missing));
    }

    private static IEnumerable<string> LeafKeys(HoconValue value, string path)
    {
        if (!value.IsObject())
        {
            yield return path;
            yield break;
        }
        foreach (var (key, child) in value.GetObject().Items)
            foreach (var leaf in LeafKeys(child, path.Length == 0 ? key : $"{path}.{key}"))
                yield return leaf;
    }
}
