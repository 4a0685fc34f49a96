using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.MiniStore.Hosting;
using CounterSample;
using Microsoft.Extensions.Hosting;

namespace MiniStore.Docs.Tests.Snippets;

/// <summary>The README's Akka.Hosting example (and the hosting package's): compiled, not run (it names a system directory).</summary>
public static class HostingQuickStart
{
    public static async Task RunAsync(string[] args)
    {
        // begin-snippet: hosting-quick-start
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddAkka("app", akka => akka
            .WithMiniStorePersistence("/var/lib/myapp/store") // journal/ and snapshots/ in it
            .WithActors((system, registry) => registry.Register<Counter>(
                system.ActorOf(Props.Create(() => new Counter("counter-1")), "counter"))));

        using var host = builder.Build();
        await host.RunAsync();
        // end-snippet
    }
}
