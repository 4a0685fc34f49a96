using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore;
using Microsoft.Win32.SafeHandles;

namespace MiniStore.Benchmarks;

/// <summary>
/// The floor of any durable journal through Akka: per call, for each persistence id touched, one write of a 200-byte
/// line per event to the id's own file (kept open) and one fdatasync, before the acknowledgement. Different ids are
/// written in parallel on the plugin's own <see cref="KeyedWorkQueue"/> with as many threads as MiniStore's journal
/// starts by default; a call for one id with nothing more in the mailbox runs on the journal's thread (the same rule as
/// MiniStoreJournal.AppendEachPersistenceId). No serialization, no index, no checks; it replays nothing, and knows the highest
/// sequence numbers only of what it wrote in this actor system. So MiniStore's figures over this one's are the part of
/// the gap to the raw disk that is MiniStore's own; the rest is Akka's.
/// </summary>
internal sealed class BareFsyncJournal : AsyncWriteJournal
{
    private readonly string _directory;
    private readonly ConcurrentDictionary<string, IdFile> _files = new();
    private readonly KeyedWorkQueue _queue = new(Math.Min(32, 16 * Environment.ProcessorCount), "bare-fsync-journal");
    private int _filesCreated;

    public BareFsyncJournal(Akka.Configuration.Config config)
    {
        _directory = config.GetString("directory");
        Directory.CreateDirectory(_directory);
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken = default)
    {
        var byId = new Dictionary<string, (int Events, long HighestSequenceNr)>();
        foreach (var write in messages)
        {
            byId.TryGetValue(write.PersistenceId, out var pending);
            byId[write.PersistenceId] = (pending.Events + ((IImmutableList<IPersistentRepresentation>)write.Payload).Count, write.HighestSequenceNr);
        }
        // The same rule as MiniStore's journal: a call for one id, with nothing more in the mailbox, runs right here.
        bool alone = byId.Count == 1 && !(Context is ActorCell { Mailbox: { } mailbox } && mailbox.MessageQueue.HasMessages);
        var appends = new List<Task<bool>>(byId.Count);
        foreach (var (pid, pending) in byId)
        {
            var file = _files.GetOrAdd(pid, id => new IdFile(Path.Combine(_directory, $"{++_filesCreated}.txt")));
            appends.Add(_queue.Run(pid, () =>
            {
                file.Append(pending.Events, pending.HighestSequenceNr);
                return true;
            }, inline: alone));
        }
        await Task.WhenAll(appends).ConfigureAwait(false);
        return null!;
    }

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback) =>
        Task.CompletedTask;

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken = default) =>
        Task.FromResult(_files.TryGetValue(persistenceId, out var file) ? file.HighestSequenceNr : 0);

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the bare fsync journal only writes");

    protected override void PostStop()
    {
        _queue.Dispose();
        _queue.Drain(TimeSpan.FromSeconds(10));
        foreach (var file in _files.Values)
            file.Dispose();
        base.PostStop();
    }

    /// <summary>One persistence id's file: created (and its directory entry synced) on first use, then appended to (by one id's queue, so one at a time).</summary>
    private sealed class IdFile : IDisposable
    {
        private readonly SafeFileHandle _handle;
        private long _length;

        public IdFile(string path)
        {
            _handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
            OsFileSync.Instance.SyncDirectory(Path.GetDirectoryName(path)!);
        }

        public long HighestSequenceNr { get; private set; }

        public void Append(int events, long highestSequenceNr)
        {
            // No lock: the queue runs one id's work one item at a time.
            _length += RawDisk.WriteLines(_handle, events, _length);
            OsFileSync.Instance.SyncFile(_handle);
            HighestSequenceNr = highestSequenceNr;
        }

        public void Dispose() => _handle.Dispose();
    }
}
