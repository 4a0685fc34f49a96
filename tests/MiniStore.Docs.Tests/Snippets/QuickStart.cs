using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.MiniStore;

namespace MiniStore.Docs.Tests.Snippets;

/// <summary>The README's quick start (and the plugin package's): an actor system on the HOCON a user pastes.</summary>
public static class QuickStart
{
    /// <summary>Creates the system exactly as the README shows, hands it to <paramref name="work"/>, then stops it.</summary>
    public static async Task<T> RunAsync<T>(string hocon, Func<ActorSystem, Task<T>> work)
    {
        // begin-snippet: quick-start
        var config = ConfigurationFactory.ParseString(hocon)
            .WithFallback(MiniStorePersistence.DefaultConfiguration());
        using var system = ActorSystem.Create("app", config);
        // end-snippet
        try
        {
            return await work(system);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
