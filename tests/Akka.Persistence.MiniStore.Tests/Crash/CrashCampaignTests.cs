using MiniStore.CrashCampaign;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Crash;

/// <summary>
/// The crash campaign (tests/MiniStore.CrashCampaign) in CI: 50 SIGKILL/restart cycles of a real writer process, each
/// followed by a full verification of the store. Set MINISTORE_CRASH_CYCLES for another count; the README gives the
/// command for a 1,000-cycle run.
/// </summary>
public sealed class CrashCampaignTests(ITestOutputHelper output)
{
    private static readonly int Cycles = int.TryParse(Environment.GetEnvironmentVariable("MINISTORE_CRASH_CYCLES"), out int cycles) && cycles > 0 ? cycles : 50;

    [Fact]
    public async Task Every_acknowledged_event_survives_SIGKILL_in_order_and_torn_tails_are_repaired_and_reported()
    {
        var result = await new CrashCampaign(new CampaignOptions(Cycles), output.WriteLine).RunAsync();

        Assert.Equal(Cycles, result.Cycles);
        Assert.True(result.Acks > Cycles * 20, $"only {result.Acks} events acknowledged in {Cycles} cycles");
        Assert.True(result.Tears >= Cycles / 2 - 2, $"only {result.Tears} batches torn in {Cycles} cycles"); // none before the first event
        Assert.True(result.Repairs >= result.Tears, $"{result.Tears} tears, {result.Repairs} repairs");
        Assert.True(result.RepairsReported > 0, "no repair was seen reported");
        Assert.True(result.Snapshots > 0 && result.Deletions > 0 && result.SnapshotDeletions > 0,
            $"the workload did not mix in snapshots ({result.Snapshots}), deletions ({result.Deletions}) and snapshot deletions ({result.SnapshotDeletions})");
    }
}
