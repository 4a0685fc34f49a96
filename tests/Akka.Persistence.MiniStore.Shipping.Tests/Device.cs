using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore.Storage;
using ShipProcess;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>
/// The application on the device: an actor system with the MiniStore journal and snapshot store on a store
/// directory, and sensors that persist tagged readings, take snapshots and delete events on request.
/// </summary>
internal sealed class Device : IAsyncDisposable
{
    private readonly Dictionary<string, IActorRef> _sensors = new();

    private Device(ActorSystem system, string store)
    {
        System = system;
        Store = store;
    }

    public ActorSystem System { get; }
    public string Store { get; }
    public StoreLayout Layout => new(Path.Combine(Store, "journal"), Path.Combine(Store, "snapshots"));

    /// <summary>Sensors in an actor system the test did not start (Akka.Hosting's); disposing does not stop it.</summary>
    public static Device Of(ActorSystem system, string store) => new(system, store) { _owned = false };

    private bool _owned = true;

    public static Device Start(string store, string extraHocon = "", Akka.Actor.Setup.ActorSystemSetup? setup = null)
    {
        var config = ConfigurationFactory.ParseString(extraHocon)
            .WithFallback(Hocon(store))
            .WithFallback(MiniStorePersistence.DefaultConfiguration());
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        return new Device(ActorSystem.Create("device", setup is null ? Akka.Actor.Setup.ActorSystemSetup.Create(bootstrap) : setup.And(bootstrap)), store);
    }

    /// <summary>The device's persistence settings, for an actor system the test builds itself (Akka.Hosting).</summary>
    public static Config Hocon(string store) => ConfigurationFactory.ParseString($$"""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = ministore
        akka.persistence.snapshot-store.plugin = ministore-snapshots
        akka.persistence.journal.ministore {
          directory = "{{store}}/journal"
          compact-min-dead-bytes = 1
        }
        akka.persistence.snapshot-store.ministore.directory = "{{store}}/snapshots"
        """);

    public IActorRef Sensor(string id) => _sensors.TryGetValue(id, out var sensor) ? sensor : _sensors[id] = System.ActorOf(Props.Create(() => new SensorActor(id)));

    public Task WriteAsync(string id, int count) => Sensor(id).Ask<Done>(new SensorActor.Write(count), TimeSpan.FromSeconds(60));
    public Task SnapshotAsync(string id) => Sensor(id).Ask<Done>(SensorActor.Snapshot.Instance, TimeSpan.FromSeconds(60));
    public Task DeleteToAsync(string id, long sequenceNr) => Sensor(id).Ask<Done>(new SensorActor.DeleteTo(sequenceNr), TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        if (_owned)
            await System.Terminate();
    }
}

/// <summary>Persists readings 1, 2, 3... (each its own event, sequence number = N) tagged "all" and "even"/"odd".</summary>
internal sealed class SensorActor : ReceivePersistentActor
{
    public sealed record Write(int Count);
    public sealed record DeleteTo(long SequenceNr);
    public sealed class Snapshot { public static readonly Snapshot Instance = new(); }

    private long _n;
    private IActorRef? _waiting;

    public SensorActor(string id)
    {
        PersistenceId = id;
        Recover<Reading>(r => _n = r.N);
        Recover<SnapshotOffer>(offer => _n = ((SensorState)offer.Snapshot).N);
        Command<Write>(write =>
        {
            var events = Enumerable.Range(0, write.Count).Select(_ => new Tagged(new Reading(id, ++_n), ["all", _n % 2 == 0 ? "even" : "odd"])).ToList();
            PersistAll(events, _ => { });
            var sender = Sender;
            DeferAsync(Done.Instance, _ => sender.Tell(Done.Instance));
        });
        Command<Snapshot>(_ =>
        {
            _waiting = Sender;
            SaveSnapshot(new SensorState(_n));
        });
        Command<SaveSnapshotSuccess>(_ => _waiting?.Tell(Done.Instance));
        Command<DeleteTo>(delete =>
        {
            _waiting = Sender;
            DeleteMessages(delete.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => _waiting?.Tell(Done.Instance));
    }

    public override string PersistenceId { get; }
}
