using Xunit;

namespace MiniStore.Cli.Tests;

/// <summary>One plugin-written sample store (see <see cref="PluginStore.WriteSampleAsync"/>) shared by the tests that only read it.</summary>
public sealed class SampleStoreFixture : IAsyncLifetime
{
    internal PluginStore Store { get; } = new();

    public Task InitializeAsync() => Store.WriteSampleAsync();

    public Task DisposeAsync()
    {
        Store.Dispose();
        return Task.CompletedTask;
    }
}
