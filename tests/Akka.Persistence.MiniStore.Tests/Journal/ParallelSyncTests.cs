using System.Text.Json;
using Akka.Actor;
using Akka.Actor.Setup;
using Microsoft.Win32.SafeHandles;
using MiniStore;
using Xunit;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// One WriteMessages that touches K persistence ids costs one fsync per log, all K in flight at once on the journal's
/// write threads (never one per event, never one after another), bounded by <c>write-threads</c>. The journal runs
/// on a sync that holds every file sync until K are in flight together (or a timeout passes), and counts them.
/// </summary>
public sealed class ParallelSyncTests : IDisposable
{
    private const int Ids = 6;
    private readonly string _root = MiniStoreSpec.NewDirectory();

    [Fact]
    public async Task The_logs_of_a_write_touching_several_ids_are_fsynced_in_parallel_once_each()
    {
        var sync = new GatedSync();
        var (released, maxInFlight, syncs) = await WriteToSeveralIdsAsync(sync, "", TimeSpan.FromSeconds(20));
        Assert.True(released, $"the {Ids} fsyncs were never in flight together (at most {maxInFlight}): they ran one after another");
        Assert.Equal(Ids, maxInFlight);
        Assert.Equal(Ids, syncs); // two events per id, one fsync per log

        // The writes finished together; their index entries are all there, in ordering order.
        var orderings = new List<long>();
        using var index = MiniStoreLog.Open(Path.Combine(_root, "journal", "index", "events.jsonl"), readOnly: true);
        foreach (var line in index.Read())
        {
            using var entry = JsonDocument.Parse(line.Json);
            orderings.Add(entry.RootElement.GetProperty("ord").GetInt64());
        }
        Assert.Equal(Enumerable.Range(1, 1 + 2 * Ids).Select(i => (long)i), orderings);
    }

    [Fact]
    public async Task Write_threads_bound_the_fsyncs_in_flight()
    {
        var sync = new GatedSync();
        var (released, maxInFlight, syncs) = await WriteToSeveralIdsAsync(sync, "akka.persistence.journal.ministore.write-threads = 2", TimeSpan.FromSeconds(1));
        Assert.False(released);
        Assert.Equal(2, maxInFlight);
        Assert.Equal(Ids, syncs);
    }

    /// <summary>
    /// Writes two single-event writes for each of <see cref="Ids"/> new ids in one WriteMessages, with every file
    /// sync held until all ids' syncs are in flight or <paramref name="hold"/> passed; returns whether they all were,
    /// the most in flight at once, and the file syncs made. Every event must be acknowledged.
    /// </summary>
    private async Task<(bool Released, int MaxInFlight, int Syncs)> WriteToSeveralIdsAsync(GatedSync sync, string config, TimeSpan hold)
    {
        var setup = BootstrapSetup.Create().WithConfig(MiniStoreSpec.Configuration(_root, config + "\nakka.loglevel = WARNING")).And(new MiniStoreFileSyncSetup(sync));
        var system = ActorSystem.Create("parallel-syncs", setup);
        try
        {
            var journal = Persistence.Instance.Apply(system).JournalFor(null);
            var inbox = Inbox.Create(system);
            // Start the journal (its lock file, its first log) with syncs passing straight through.
            journal.Tell(new WriteMessages([new AtomicWrite(Event("warm-up", 1, "warm-up"))], inbox.Receiver, 1));
            Assert.IsType<WriteMessagesSuccessful>(inbox.Receive(TimeSpan.FromSeconds(10)));
            Assert.IsType<WriteMessageSuccess>(inbox.Receive(TimeSpan.FromSeconds(10)));

            var released = sync.Hold(Ids, hold);
            var writes = Enumerable.Range(0, Ids).SelectMany(i => new[]
            {
                new AtomicWrite(Event("first", 1, $"id-{i}")),
                new AtomicWrite(Event("second", 2, $"id-{i}")),
            }).ToList();
            journal.Tell(new WriteMessages(writes, inbox.Receiver, 1));
            bool allInFlight = await released;

            Assert.IsType<WriteMessagesSuccessful>(inbox.Receive(TimeSpan.FromSeconds(10)));
            for (int i = 0; i < writes.Count; i++)
                Assert.IsType<WriteMessageSuccess>(inbox.Receive(TimeSpan.FromSeconds(10)));
            return (allInFlight, sync.MaxInFlight, sync.Syncs);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static Persistent Event(string payload, long sequenceNr, string persistenceId) =>
        new(payload, sequenceNr, persistenceId, "", isDeleted: false, ActorRefs.NoSender, "writer");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Passes syncs through until <see cref="Hold"/>; then holds each file sync until <c>target</c> are in flight
    /// together or the hold time passed, whichever comes first, counting them and the most in flight at once.
    /// </summary>
    private sealed class GatedSync : IFileSync
    {
        private readonly object _gate = new();
        private TaskCompletionSource<bool>? _released;
        private int _target, _inFlight;
        private volatile bool _open = true;
        private volatile bool _counting;

        public int MaxInFlight { get; private set; }
        public int Syncs { get; private set; }

        /// <summary>Completes with true when <paramref name="target"/> syncs were in flight together, false when the time ran out first.</summary>
        public Task<bool> Hold(int target, TimeSpan time)
        {
            lock (_gate)
            {
                _target = target;
                _released = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _open = false;
                _counting = true;
            }
            _ = Task.Delay(time).ContinueWith(_ => Open(false));
            return _released.Task;
        }

        private void Open(bool allInFlight)
        {
            lock (_gate)
            {
                if (_open) return;
                _open = true;
                Monitor.PulseAll(_gate);
            }
            _released!.TrySetResult(allInFlight);
        }

        public void SyncFile(SafeFileHandle file)
        {
            if (!_counting)
            {
                OsFileSync.Instance.SyncFile(file);
                return;
            }
            bool all;
            lock (_gate)
            {
                Syncs++;
                MaxInFlight = Math.Max(MaxInFlight, ++_inFlight);
                all = _inFlight >= _target;
            }
            if (all) Open(true);
            lock (_gate)
            {
                while (!_open) Monitor.Wait(_gate);
            }
            OsFileSync.Instance.SyncFile(file);
            lock (_gate) _inFlight--;
        }

        public void SyncDirectory(string directory) => OsFileSync.Instance.SyncDirectory(directory);
    }
}
