using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore;

namespace MiniStore.Cli.Tests;

/// <summary>A store written by the real plugin: an actor system whose journal and snapshot store are MiniStore in a temporary directory.</summary>
internal sealed class PluginStore : IDisposable
{
    public PluginStore()
    {
        Directory = Path.Combine(Path.GetTempPath(), "ministore-cli-tests", Guid.NewGuid().ToString("N"));
    }

    public string Directory { get; }
    public string JournalDirectory => Path.Combine(Directory, "journal");
    public string EventLog(string persistenceId) => Path.Combine(JournalDirectory, PersistenceIdFileName.For(persistenceId) + ".jsonl");
    public string DeletionLog(string persistenceId) => Path.Combine(JournalDirectory, PersistenceIdFileName.For(persistenceId) + ".deleted.jsonl");
    public string EventIndex => Path.Combine(JournalDirectory, "index", "events.jsonl");
    public string[] Snapshots(string persistenceId) => System.IO.Directory.GetFiles(Path.Combine(Directory, "snapshots", PersistenceIdFileName.For(persistenceId)), "*.snapshot.json");
    public string[] BrokenCopies => System.IO.Directory.GetFiles(JournalDirectory, "*.broken");

    public ActorSystem StartSystem()
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.ministore"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.ministore"
            akka.persistence.journal.ministore.directory = "{{JournalDirectory.Replace("\\", "/")}}"
            akka.persistence.snapshot-store.ministore.directory = "{{Path.Combine(Directory, "snapshots").Replace("\\", "/")}}"
            """).WithFallback(MiniStorePersistence.DefaultConfiguration());
        return ActorSystem.Create("cli-tests", config);
    }

    /// <summary>Persists <paramref name="events"/> as the given persistence id and waits until they are stored.</summary>
    public static async Task PersistAsync(ActorSystem system, string persistenceId, params string[] events)
    {
        var recorder = system.ActorOf(Props.Create(() => new Recorder(persistenceId)));
        foreach (var e in events)
            await recorder.Ask<Done>(new Recorder.Record(e), TimeSpan.FromSeconds(20));
        await recorder.GracefulStop(TimeSpan.FromSeconds(10));
    }

    /// <summary>Writes a store: "sensor-1" with 6 events, a snapshot and events 1-2 deleted; "sensor-2" with 3 events.</summary>
    public async Task WriteSampleAsync()
    {
        using var system = StartSystem();
        await PersistAsync(system, "sensor-1", "t=20.1", "t=20.4", "t=20.3", "t=21.0", "t=21.2", "t=20.9");
        await PersistAsync(system, "sensor-2", "on", "off", "on");
        var recorder = system.ActorOf(Props.Create(() => new Recorder("sensor-1")));
        await recorder.Ask<Done>(new Recorder.SnapshotAndDeleteTo(2), TimeSpan.FromSeconds(20));
        await system.Terminate();
    }

    /// <summary>The payload (a string event) and tags of each record in the id's log, read from the file as <c>jq</c> would.</summary>
    public List<(string Payload, string[] Tags)> ReadEventRecords(string persistenceId)
    {
        var records = new List<(string, string[])>();
        foreach (var record in LogFiles.Records(EventLog(persistenceId)))
        {
            using var json = System.Text.Json.JsonDocument.Parse(record);
            var root = json.RootElement;
            records.Add((root.GetProperty("payload").GetString()!, root.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray()));
        }
        return records;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// A persistent actor that stores strings, answering <see cref="Done"/> once each is stored; tagged by
/// <paramref name="tagger"/> when one is given. Its state is the list of strings it stored.
/// </summary>
internal sealed class Recorder : ReceivePersistentActor
{
    public sealed record Record(string Value);
    public sealed record RecordAll(IReadOnlyList<string> Values);
    public sealed record SnapshotAndDeleteTo(long SequenceNr);
    public sealed record GetState;
    private readonly List<string> _values = new();
    private IActorRef? _waiting;
    private int _pending;

    public Recorder(string persistenceId, Func<string, string[]>? tagger = null)
    {
        PersistenceId = persistenceId;
        object Event(string v) => tagger is null ? v : new Tagged(v, tagger(v));
        void Add(object e) => _values.Add(e is Tagged t ? (string)t.Payload : (string)e);
        Recover<string>(_values.Add);
        Recover<SnapshotOffer>(offer => _values.AddRange((string[])offer.Snapshot));
        Command<Record>(r => Persist(Event(r.Value), e => { Add(e); Sender.Tell(Done.Instance); }));
        Command<RecordAll>(r =>
        {
            var sender = Sender;
            int left = r.Values.Count;
            PersistAll(r.Values.Select(Event), e =>
            {
                Add(e);
                if (--left == 0) sender.Tell(Done.Instance);
            });
        });
        Command<SnapshotAndDeleteTo>(s =>
        {
            _waiting = Sender;
            _pending = 2;
            SaveSnapshot(_values.ToArray());
            DeleteMessages(s.SequenceNr);
        });
        Command<SaveSnapshotSuccess>(_ => Finished());
        Command<DeleteMessagesSuccess>(_ => Finished());
        Command<GetState>(_ => Sender.Tell(_values.ToArray()));
    }

    public override string PersistenceId { get; }

    private void Finished()
    {
        if (--_pending == 0)
            _waiting?.Tell(Done.Instance);
    }
}
