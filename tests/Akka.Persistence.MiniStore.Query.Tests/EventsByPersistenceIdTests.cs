using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>The behaviours of Akka.Persistence.TCK's CurrentEventsByPersistenceIdSpec and EventsByPersistenceIdSpec.</summary>
public sealed class EventsByPersistenceIdTests(ITestOutputHelper output) : QuerySpec(output)
{
    [Fact]
    public void Current_query_finds_existing_events_and_completes()
    {
        Write("a", "a-1", "a-2", "a-3");
        var probe = Run(Queries.CurrentEventsByPersistenceId("a", 0, long.MaxValue));
        probe.Request(2);
        ExpectEnvelope(probe, "a", 1, "a-1");
        ExpectEnvelope(probe, "a", 2, "a-2");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // back-pressure: nothing beyond the demand
        probe.Request(2);
        ExpectEnvelope(probe, "a", 3, "a-3");
        probe.ExpectComplete();
    }

    [Fact]
    public void Current_query_honours_sequence_number_bounds()
    {
        Write("b", "b-1", "b-2", "b-3", "b-4");
        Assert.Equal(["b/2:b-2@2", "b/3:b-3@3"], Collect(Queries.CurrentEventsByPersistenceId("b", 2, 3)));
        Assert.Equal(["b/1:b-1@1", "b/2:b-2@2"], Collect(Queries.CurrentEventsByPersistenceId("b", 0, 2)));
        Assert.Empty(Collect(Queries.CurrentEventsByPersistenceId("b", 5, long.MaxValue)));
        Assert.Empty(Collect(Queries.CurrentEventsByPersistenceId("b", 3, 2)));
    }

    [Fact]
    public void Current_query_of_an_unknown_id_is_empty()
    {
        Assert.Empty(Collect(Queries.CurrentEventsByPersistenceId("nobody", 0, long.MaxValue)));
    }

    [Fact]
    public void Current_query_does_not_see_events_stored_after_it_started()
    {
        var writer = Write("f", "f-1", "f-2", "f-3");
        var probe = Run(Queries.CurrentEventsByPersistenceId("f", 0, long.MaxValue));
        probe.Request(2);
        ExpectEnvelope(probe, "f", 1, "f-1");
        ExpectEnvelope(probe, "f", 2, "f-2");
        Tell(writer, "f-4");
        probe.Request(5);
        ExpectEnvelope(probe, "f", 3, "f-3");
        probe.ExpectComplete();
    }

    [Fact]
    public void Deleted_events_are_not_returned()
    {
        var writer = Write("g", "g-1", "g-2", "g-3");
        Tell(writer, "delete:2");
        Assert.Equal(["g/3:g-3@3"], Collect(Queries.CurrentEventsByPersistenceId("g", 0, long.MaxValue)));
        Tell(writer, "delete:3");
        Assert.Empty(Collect(Queries.CurrentEventsByPersistenceId("g", 0, long.MaxValue)));
    }

    [Fact]
    public void Envelopes_carry_the_timestamp_the_event_was_stored_with()
    {
        var before = DateTime.UtcNow.Ticks;
        Write("t", "t-1");
        var envelope = Queries.CurrentEventsByPersistenceId("t", 0, long.MaxValue).RunWith(Akka.Streams.Dsl.Sink.First<Akka.Persistence.Query.EventEnvelope>(), Materializer).Result;
        Assert.InRange(envelope.Timestamp, before, DateTime.UtcNow.Ticks);
    }

    [Fact]
    public void Live_query_delivers_stored_then_new_events_and_stays_open()
    {
        var writer = Write("c", "c-1", "c-2");
        var probe = Run(Queries.EventsByPersistenceId("c", 0, long.MaxValue));
        probe.Request(5);
        ExpectEnvelope(probe, "c", 1, "c-1");
        ExpectEnvelope(probe, "c", 2, "c-2");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Tell(writer, "c-3");
        ExpectEnvelope(probe, "c", 3, "c-3");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Cancel();
    }

    [Fact]
    public void Live_query_completes_at_its_upper_bound()
    {
        var writer = Write("d", "d-1");
        var probe = Run(Queries.EventsByPersistenceId("d", 0, 2));
        probe.Request(5);
        ExpectEnvelope(probe, "d", 1, "d-1");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Tell(writer, "d-2");
        ExpectEnvelope(probe, "d", 2, "d-2");
        probe.ExpectComplete();
    }

    [Fact]
    public void Live_query_delivers_new_events_only_on_demand()
    {
        var writer = Write("e", "e-1");
        var probe = Run(Queries.EventsByPersistenceId("e", 0, long.MaxValue));
        probe.Request(1);
        ExpectEnvelope(probe, "e", 1, "e-1");
        Tell(writer, "e-2");
        Tell(writer, "e-3");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Request(1);
        ExpectEnvelope(probe, "e", 2, "e-2");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Request(1);
        ExpectEnvelope(probe, "e", 3, "e-3");
        probe.Cancel();
    }

    [Fact]
    public void Live_query_reads_many_events_in_chunks()
    {
        var writer = WriterFor("h");
        for (int i = 1; i <= 75; i++)
            Tell(writer, $"h-{i}");
        var probe = Run(Queries.EventsByPersistenceId("h", 0, long.MaxValue));
        probe.Request(100);
        for (int i = 1; i <= 75; i++)
            ExpectEnvelope(probe, "h", i, $"h-{i}");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Cancel();
    }
}
