using Xunit;

namespace Akka.Persistence.MiniStore.Hosting.Tests;

/// <summary>What the journal's and snapshot store's health checks report (the hosted test above sees it end to end).</summary>
public sealed class StoreHealthTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ministore-health-").FullName;

    [Fact]
    public void A_failed_write_is_unhealthy_until_a_write_succeeds()
    {
        var health = new StoreHealth(_directory, "journal");
        Assert.Equal(PersistenceHealthStatus.Healthy, health.Check().Status);

        health.WriteFinished(new IOException("No space left on device"));
        var failed = health.Check();
        Assert.Equal(PersistenceHealthStatus.Unhealthy, failed.Status);
        Assert.Contains("the last write failed: No space left on device", failed.Description);

        health.WriteFinished(null);
        Assert.Equal(PersistenceHealthStatus.Healthy, health.Check().Status);
    }

    [Fact]
    public void A_directory_that_cannot_take_a_file_is_unhealthy_and_the_probe_leaves_nothing_behind()
    {
        var health = new StoreHealth(_directory, "snapshot store");
        Assert.Equal(PersistenceHealthStatus.Healthy, health.Check().Status);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));

        Directory.Delete(_directory);
        var gone = health.Check();
        Assert.Equal(PersistenceHealthStatus.Unhealthy, gone.Status);
        Assert.Contains($"MiniStore snapshot store cannot write to '{_directory}'", gone.Description);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
