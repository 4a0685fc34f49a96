using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.MiniStore;
using CounterSample;
using MiniStore.Docs.Tests.Markdown;
using MiniStore.Docs.Tests.Snippets;

namespace MiniStore.Docs.Tests;

/// <summary>
/// The README's HOCON, run: an actor system made from its first HOCON block by the README's own C# (the quick-start
/// snippet, with the embedded defaults as fallback) stores an event in MiniStore's files and recovers it in a second
/// system. Only the directories are moved into a temporary folder.
/// </summary>
public sealed class ReadmeQuickStartTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("ministore-docs-").FullName;

    [Fact]
    public async Task The_readme_hocon_starts_the_plugin_that_persists_and_recovers()
    {
        string hocon = ReadmeHocon() + $"""

            akka.persistence.journal.ministore.directory = "{_store}/journal"
            akka.persistence.snapshot-store.ministore.directory = "{_store}/snapshots"
            """;
        const string pid = "readme-counter";

        var first = await QuickStart.RunAsync(hocon, async system =>
        {
            var counter = system.ActorOf(Props.Create(() => new Counter(pid)));
            counter.Tell(new Increment(41));
            return await counter.Ask<CounterValue>(new GetValue(), TimeSpan.FromSeconds(30));
        });
        Assert.Equal((41, 1L), (first.Value, first.SequenceNr));

        string log = Path.Combine(_store, "journal", PersistenceIdFileName.For(pid) + ".jsonl");
        Assert.True(File.Exists(log), $"the event is not in MiniStore's log {log}: the README's HOCON did not start the plugin");
        Assert.Contains("\"payload\":{\"By\":41}", File.ReadAllText(log));

        var recovered = await QuickStart.RunAsync(hocon, system =>
            system.ActorOf(Props.Create(() => new Counter(pid))).Ask<CounterValue>(new GetValue(), TimeSpan.FromSeconds(30)));
        Assert.Equal((41, 1L), (recovered.Value, recovered.SequenceNr));
        Assert.StartsWith("disk", recovered.RecoveredFrom);
    }

    /// <summary>The README says why the fallback is needed, quoting Akka's error: that error is what Akka says.</summary>
    [Fact]
    public async Task Without_the_defaults_akka_says_what_the_readme_quotes()
    {
        var system = ActorSystem.Create("no-fallback", ConfigurationFactory.ParseString(ReadmeHocon()));
        try
        {
            var e = Record.Exception(() => Persistence.Instance.Apply(system).JournalFor(null));
            Assert.NotNull(e);
            string quoted = "Persistence config is missing plugin config path for: ministore";
            Assert.Contains(quoted, e.Message);
            string readme = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(Path.Combine(Repository.Root, "README.md")), @"\s+", " ");
            Assert.Contains(quoted, readme); // as a reader sees it: line breaks are spaces
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static string ReadmeHocon() =>
        MarkdownFile.Load(Path.Combine(Repository.Root, "README.md")).CodeBlocks("hocon").First().Text;

    public void Dispose() => Directory.Delete(_store, recursive: true);
}
