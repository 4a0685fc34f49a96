using Akka.Actor;
using Akka.Hosting;
using CounterSample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MiniStore.Docs.Tests.Snippets;

namespace MiniStore.Docs.Tests;

/// <summary>docs/CONFIGURATION.md's Akka.Hosting example, run: the options and the added HOCON both reach the plugins.</summary>
public sealed class HostingOptionsTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("ministore-docs-hosting-").FullName;

    [Fact]
    public async Task Options_and_added_hocon_take_effect()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("hosting-docs", akka =>
        {
            akka.ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Akka.Event.LogLevel.InfoLevel;
                loggers.ClearLoggers();
                loggers.AddLogger<CapturingLogger>();
            });
            HostingOptions.Configure(akka, _store);
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var counter = system.ActorOf(Props.Create(() => new Counter("hosted")));
            for (int i = 0; i < 3 * Counter.SnapshotEvery; i++)
                counter.Tell(new Increment(1));
            var value = await counter.Ask<CounterValue>(new GetValue(), TimeSpan.FromSeconds(30));
            Assert.Equal(15, value.Value);

            string journal = Path.Combine(_store, "journal");
            Assert.Contains(CapturingLogger.Messages, m => m.Contains($"MiniStore journal in '{journal}' (4 write threads, 64 open files at most)"));
            // Three snapshots were saved (every 5 events); keep-snapshots = 2 leaves the newest two.
            await WaitUntil(() => Directory.GetFiles(Path.Combine(_store, "snapshots"), "*.snapshot.json", SearchOption.AllDirectories).Length == 2);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>The third snapshot is saved after the reply that ended the writes: wait for its save (and the deletion after it).</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 300 && !condition(); i++)
            await Task.Delay(100);
        Assert.True(condition());
    }

    public void Dispose() => Directory.Delete(_store, recursive: true);
}
