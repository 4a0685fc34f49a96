using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests;

public class SmokeTests : MiniStoreSpec
{
    public SmokeTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Journal_writes_the_event_log_of_a_persistence_id()
    {
        var journal = Persistence.Instance.Apply(Sys).JournalFor(null);
        var probe = CreateTestProbe();
        var writes = new[] { new AtomicWrite(new Persistent("a", 1, "p-1", writerGuid: "w")) };
        journal.Tell(new WriteMessages(writes, probe.Ref, 1));
        probe.ExpectMsg<WriteMessagesSuccessful>();
        probe.ExpectMsg<WriteMessageSuccess>();
        Assert.Contains("\"pid\":\"p-1\"", File.ReadAllText(EventLogPath("p-1")));
    }
}
