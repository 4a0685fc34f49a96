using Akka.Actor;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Tests;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>
/// Base of the query tests, set up like Akka.Persistence.TCK's query specs: <see cref="Writer"/> actors persist
/// strings and answer "&lt;event&gt;-done"; <see cref="ColorTagger"/>, an event adapter, tags them by the colours
/// and fruits they name.
/// </summary>
public abstract class QuerySpec : MiniStoreSpec
{
    public const string AdapterConfig = """
        akka.persistence.journal.ministore {
          event-adapters.color-tagger = "Akka.Persistence.MiniStore.Query.Tests.ColorTagger, Akka.Persistence.MiniStore.Query.Tests"
          event-adapter-bindings { "System.String" = color-tagger }
        }
        akka.persistence.query.journal.ministore.refresh-interval = 200ms
        akka.persistence.query.journal.ministore.max-buffer-size = 20
        """;

    protected QuerySpec(ITestOutputHelper output, string? extraConfig = null, string? directory = null)
        : base(output, (extraConfig ?? "") + "\n" + AdapterConfig, directory)
    {
        Materializer = Sys.Materializer();
        Queries = PersistenceQuery.Get(Sys).ReadJournalFor<MiniStoreReadJournal>(MiniStoreReadJournal.Identifier);
    }

    protected ActorMaterializer Materializer { get; }
    protected MiniStoreReadJournal Queries { get; }

    protected IActorRef WriterFor(string persistenceId) => Sys.ActorOf(Writer.Props(persistenceId));

    /// <summary>Persists each event in turn through a writer, waiting for each to be stored.</summary>
    protected IActorRef Write(string persistenceId, params string[] events)
    {
        var writer = WriterFor(persistenceId);
        foreach (var e in events)
        {
            writer.Tell(e, TestActor);
            ExpectMsg($"{e}-done", TimeSpan.FromSeconds(10));
        }
        return writer;
    }

    protected void Tell(IActorRef writer, string e)
    {
        writer.Tell(e, TestActor);
        ExpectMsg($"{e}-done", TimeSpan.FromSeconds(10));
    }

    protected TestSubscriber.Probe<T> Run<T>(Akka.Streams.Dsl.Source<T, NotUsed> source) => source.RunWith(this.SinkProbe<T>(), Materializer);

    protected static EventEnvelope ExpectEnvelope(TestSubscriber.Probe<EventEnvelope> probe, string persistenceId, long sequenceNr, string @event)
    {
        var envelope = probe.ExpectNext(TimeSpan.FromSeconds(10));
        Assert.Equal((persistenceId, sequenceNr, (object)@event), (envelope.PersistenceId, envelope.SequenceNr, envelope.Event));
        return envelope;
    }

    /// <summary>Every envelope of a current query, as "pid/seq:event@ordering".</summary>
    protected List<string> Collect(Akka.Streams.Dsl.Source<EventEnvelope, NotUsed> source) =>
        source.RunWith(Akka.Streams.Dsl.Sink.Seq<EventEnvelope>(), Materializer).Result
            .Select(e => $"{e.PersistenceId}/{e.SequenceNr}:{e.Event}@{((Sequence)e.Offset).Value}").ToList();
}

/// <summary>A persistent actor like the TCK's: persists each string it is sent, answers "&lt;string&gt;-done"; "delete:N" deletes events up to N.</summary>
public sealed class Writer : ReceivePersistentActor
{
    public static Props Props(string persistenceId) => Actor.Props.Create(() => new Writer(persistenceId));

    public Writer(string persistenceId)
    {
        PersistenceId = persistenceId;
        Command<string>(s => s.StartsWith("delete:"), s => { _deleteRequester = Sender; DeleteMessages(long.Parse(s["delete:".Length..])); });
        Command<DeleteMessagesSuccess>(m => _deleteRequester?.Tell($"delete:{m.ToSequenceNr}-done"));
        Command<string>(s => Persist(s, e => Sender.Tell($"{e}-done")));
    }

    private IActorRef? _deleteRequester;

    public override string PersistenceId { get; }
}

/// <summary>The TCK's tagging adapter: tags an event with each of green, black, blue, apple, banana it names.</summary>
public sealed class ColorTagger : IWriteEventAdapter
{
    private static readonly string[] Tags = ["green", "black", "blue", "apple", "banana"];

    public string Manifest(object evt) => "";

    public object ToJournal(object evt) =>
        evt is string s && Tags.Where(s.Contains).ToArray() is { Length: > 0 } tags ? new Tagged(evt, tags) : evt;
}
