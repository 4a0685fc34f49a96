using Akka.Actor;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>The behaviours of Akka.Persistence.TCK's CurrentEventsByTagSpec and EventsByTagSpec; tags come from the <see cref="ColorTagger"/> event adapter.</summary>
public sealed class EventsByTagTests(ITestOutputHelper output) : QuerySpec(output)
{
    private void WriteFruit()
    {
        var a = WriterFor("a");
        var b = WriterFor("b");
        Tell(a, "hello");
        Tell(a, "a green apple");
        Tell(b, "a black car");
        Tell(a, "something else");
        Tell(a, "a green banana");
        Tell(b, "a green leaf");
    }

    [Fact]
    public void Current_query_finds_tagged_events_in_the_order_stored_and_completes()
    {
        WriteFruit();
        var probe = Run(Queries.CurrentEventsByTag("green", NoOffset.Instance));
        probe.Request(2);
        ExpectEnvelope(probe, "a", 2, "a green apple");
        ExpectEnvelope(probe, "a", 4, "a green banana");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Request(2);
        var leaf = ExpectEnvelope(probe, "b", 2, "a green leaf");
        Assert.Contains("green", leaf.Tags);
        probe.ExpectComplete();

        Assert.Equal(["b/1:a black car@3"], Collect(Queries.CurrentEventsByTag("black", NoOffset.Instance)));
        Assert.Equal(["a/2:a green apple@2"], Collect(Queries.CurrentEventsByTag("apple", NoOffset.Instance)));
        Assert.Empty(Collect(Queries.CurrentEventsByTag("pink", NoOffset.Instance)));
    }

    [Fact]
    public void Current_query_does_not_see_events_stored_after_it_started()
    {
        WriteFruit();
        var probe = Run(Queries.CurrentEventsByTag("green", NoOffset.Instance));
        probe.Request(2);
        ExpectEnvelope(probe, "a", 2, "a green apple");
        ExpectEnvelope(probe, "a", 4, "a green banana");
        Write("c", "a green cucumber");
        probe.Request(5);
        ExpectEnvelope(probe, "b", 2, "a green leaf");
        probe.ExpectComplete();
    }

    [Fact]
    public void Current_query_resumes_after_an_offset_exclusive()
    {
        WriteFruit();
        Write("c", "a green cucumber");
        var probe = Run(Queries.CurrentEventsByTag("green", NoOffset.Instance));
        probe.Request(2);
        ExpectEnvelope(probe, "a", 2, "a green apple");
        var offset = ExpectEnvelope(probe, "a", 4, "a green banana").Offset;
        probe.Cancel();

        Assert.Equal(Offset.Sequence(5), offset);
        Assert.Equal(["b/2:a green leaf@6", "c/1:a green cucumber@7"], Collect(Queries.CurrentEventsByTag("green", offset)));
    }

    [Fact]
    public void Current_query_sees_all_150_events_across_chunks()
    {
        var a = WriterFor("a");
        for (int i = 1; i <= 150; i++)
            Tell(a, "a green apple");
        var probe = Run(Queries.CurrentEventsByTag("green", NoOffset.Instance));
        probe.Request(150);
        for (int i = 1; i <= 150; i++)
            ExpectEnvelope(probe, "a", i, "a green apple");
        probe.ExpectComplete();
    }

    [Fact]
    public void Deleted_events_are_not_returned()
    {
        var a = Write("a", "a green apple", "a green banana", "a black car");
        Write("b", "a green leaf");
        Tell(a, "delete:1");
        Assert.Equal(["a/2:a green banana@2", "b/1:a green leaf@4"], Collect(Queries.CurrentEventsByTag("green", NoOffset.Instance)));
    }

    [Fact]
    public void Events_tagged_by_the_actor_with_Tagged_are_found_too()
    {
        var writer = Sys.ActorOf(Akka.Actor.Props.Create(() => new TaggingWriter("tagger")));
        writer.Tell(new Tagged(42, ["answer", "number"]), TestActor);
        ExpectMsg("stored");
        var envelope = Queries.CurrentEventsByTag("number", NoOffset.Instance).RunWith(Akka.Streams.Dsl.Sink.Seq<EventEnvelope>(), Materializer).Result.Single();
        Assert.Equal(("tagger", 1L, (object)42L), (envelope.PersistenceId, envelope.SequenceNr, envelope.Event is System.Text.Json.JsonElement j ? (object)j.GetInt64() : Convert.ToInt64(envelope.Event)));
        Assert.Equal(["answer", "number"], envelope.Tags.Order(StringComparer.Ordinal)); // Tagged holds a set: no order
    }

    [Fact]
    public void Live_query_delivers_stored_then_new_tagged_events()
    {
        var a = WriterFor("a");
        var b = WriterFor("b");
        Tell(a, "hello");
        Tell(a, "a green apple");
        Tell(b, "a black car");

        var probe = Run(Queries.EventsByTag("black", NoOffset.Instance));
        probe.Request(2);
        ExpectEnvelope(probe, "b", 1, "a black car");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Tell(b, "a black dog");
        ExpectEnvelope(probe, "b", 2, "a black dog");
        Tell(a, "a black night");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // demand of 2 used up
        probe.Request(10);
        ExpectEnvelope(probe, "a", 3, "a black night");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Cancel();
    }

    [Fact]
    public void Live_query_resumes_after_an_offset_exclusive()
    {
        WriteFruit();
        var probe = Run(Queries.EventsByTag("green", Offset.Sequence(2)));
        probe.Request(10);
        ExpectEnvelope(probe, "a", 4, "a green banana");
        ExpectEnvelope(probe, "b", 2, "a green leaf");
        Write("c", "a green cucumber");
        ExpectEnvelope(probe, "c", 1, "a green cucumber");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Cancel();
    }

    [Fact]
    public void Live_query_sees_events_of_many_persistence_ids_written_while_it_runs()
    {
        var probe = Run(Queries.EventsByTag("blue", NoOffset.Instance));
        probe.Request(1000);
        var writers = Enumerable.Range(1, 30).Select(i => WriterFor($"p-{i}")).ToList();
        for (int round = 1; round <= 3; round++)
            foreach (var w in writers)
                w.Tell($"blue {round}", TestActor);
        ReceiveN(90, TimeSpan.FromSeconds(20));
        var seen = probe.ExpectNextN(90, TimeSpan.FromSeconds(10));
        var orderings = seen.Select(e => ((Sequence)e.Offset).Value).ToList();
        Assert.Equal(orderings.Order(), orderings);
        Assert.Equal(90, orderings.Distinct().Count());
        Assert.All(Enumerable.Range(1, 30), i => Assert.Equal([1L, 2L, 3L], seen.Where(e => e.PersistenceId == $"p-{i}").Select(e => e.SequenceNr)));
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Cancel();
    }

    [Fact]
    public void An_offset_that_is_not_a_sequence_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Queries.CurrentEventsByTag("green", new TimeBasedUuid(Guid.NewGuid())));
    }
}

/// <summary>Persists what it is sent as is (a <see cref="Tagged"/> payload keeps its tags) and answers "stored".</summary>
public sealed class TaggingWriter : ReceivePersistentActor
{
    public TaggingWriter(string persistenceId)
    {
        PersistenceId = persistenceId;
        CommandAny(message => Persist(message, _ => Sender.Tell("stored")));
    }

    public override string PersistenceId { get; }
}
