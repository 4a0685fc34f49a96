using Akka.Persistence.Query;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>The behaviours of Akka.Persistence.TCK's CurrentAllEventsSpec and AllEventsSpec.</summary>
public sealed class AllEventsTests(ITestOutputHelper output) : QuerySpec(output)
{
    [Fact]
    public void Current_query_finds_every_event_in_the_order_stored_and_completes()
    {
        var a = WriterFor("a");
        var b = WriterFor("b");
        Tell(a, "a-1");
        Tell(b, "b-1");
        Tell(a, "a-2");
        Assert.Equal(["a/1:a-1@1", "b/1:b-1@2", "a/2:a-2@3"], Collect(Queries.CurrentAllEvents(NoOffset.Instance)));
        Assert.Equal(["a/2:a-2@3"], Collect(Queries.CurrentAllEvents(Offset.Sequence(2))));
        Assert.Empty(Collect(Queries.CurrentAllEvents(Offset.Sequence(3))));
    }

    [Fact]
    public void Current_query_of_an_empty_journal_completes()
    {
        var probe = Run(Queries.CurrentAllEvents(NoOffset.Instance));
        probe.Request(1);
        probe.ExpectComplete();
    }

    [Fact]
    public void Current_query_does_not_see_events_stored_after_it_started()
    {
        Write("a", "a-1", "a-2");
        var probe = Run(Queries.CurrentAllEvents(NoOffset.Instance));
        probe.Request(1);
        ExpectEnvelope(probe, "a", 1, "a-1");
        Write("b", "b-1");
        probe.Request(5);
        ExpectEnvelope(probe, "a", 2, "a-2");
        probe.ExpectComplete();
    }

    [Fact]
    public void Live_query_delivers_stored_then_new_events_on_demand()
    {
        var a = Write("a", "a-1");
        var probe = Run(Queries.AllEvents(NoOffset.Instance));
        probe.Request(2);
        ExpectEnvelope(probe, "a", 1, "a-1");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Write("b", "b-1");
        ExpectEnvelope(probe, "b", 1, "b-1");
        Tell(a, "a-2");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Request(1);
        var last = ExpectEnvelope(probe, "a", 2, "a-2");
        Assert.Equal(Offset.Sequence(3), last.Offset);
        probe.Cancel();
    }

    [Fact]
    public void Deleted_events_are_not_returned()
    {
        var a = Write("a", "a-1", "a-2");
        Write("b", "b-1");
        Tell(a, "delete:1");
        Assert.Equal(["a/2:a-2@2", "b/1:b-1@3"], Collect(Queries.CurrentAllEvents(NoOffset.Instance)));
    }
}
