using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>max-store-size: a warning once the store passes store-size-warning-ratio of the cap, before it is reached.</summary>
public sealed class StoreSizeApproachTests : JournalTestKit
{
    // A 1 MiB cap with the warning from 0.01 %: the first written event puts the store past 105 bytes, far below the cap.
    public StoreSizeApproachTests(ITestOutputHelper output) : base(output, """
        akka.persistence.journal.ministore.max-store-size = 1MiB
        akka.persistence.journal.ministore.store-size-warning-ratio = 0.0001
        """) { }

    [Fact]
    public void Approaching_the_cap_logs_a_warning_naming_the_share_and_the_cap_and_no_error()
    {
        EventFilter.Error(contains: "max-store-size").Expect(0, TimeSpan.FromSeconds(5), () =>
            EventFilter.Warning(contains: "of max-store-size (1048576 bytes)").ExpectOne(TimeSpan.FromSeconds(20), () =>
                WriteSuccessfully(new AtomicWrite(Event("reading 1: 21.5 C", 1, Pid, WriterGuid)))));
        Assert.Single(Replay(Pid).Events);
    }
}
