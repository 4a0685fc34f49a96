using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Snapshot;

/// <summary>
/// Base of the snapshot store tests: talks to the MiniStore snapshot store actor directly through a probe and
/// knows where its files are.
/// </summary>
public abstract class SnapshotStoreTestBase : MiniStoreSpec
{
    /// <summary>Generous timeout for the first messages (plugin start-up, JIT) and for big snapshots.</summary>
    protected static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);

    protected SnapshotStoreTestBase(ITestOutputHelper output, string? extraConfig = null)
        : base(output, "akka.persistence.publish-plugin-commands = on\n" + (extraConfig ?? ""))
    {
        SenderProbe = CreateTestProbe();
    }

    protected TestProbe SenderProbe { get; }

    protected IActorRef SnapshotStore => Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);

    /// <summary>The directory holding the snapshot files of <paramref name="persistenceId"/>.</summary>
    protected string PidDirectory(string persistenceId) => Path.Combine(SnapshotDirectory, PersistenceIdFileName.For(persistenceId));

    /// <summary>The snapshot files (not temporary files) of a persistence id, sorted by name.</summary>
    protected string[] SnapshotFiles(string persistenceId) =>
        Directory.Exists(PidDirectory(persistenceId))
            ? Directory.GetFiles(PidDirectory(persistenceId), "*.snapshot.json").Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>Every file in the directory of a persistence id, whatever its name.</summary>
    protected string[] AllFiles(string persistenceId) =>
        Directory.Exists(PidDirectory(persistenceId)) ? Directory.GetFiles(PidDirectory(persistenceId)) : [];

    /// <summary>The file name the store uses for a snapshot: <c>&lt;seq D19&gt;-&lt;UTC ticks D19&gt;.snapshot.json</c>.</summary>
    protected string ExpectedPath(SnapshotMetadata metadata) =>
        Path.Combine(PidDirectory(metadata.PersistenceId), $"{metadata.SequenceNr:D19}-{metadata.Timestamp.ToUniversalTime().Ticks:D19}.snapshot.json");

    protected SnapshotMetadata Save(string persistenceId, long sequenceNr, object snapshot, TimeSpan? timeout = null) =>
        Save(new SnapshotMetadata(persistenceId, sequenceNr, DateTime.MinValue), snapshot, timeout);

    protected SnapshotMetadata Save(SnapshotMetadata metadata, object snapshot, TimeSpan? timeout = null)
    {
        SnapshotStore.Tell(new SaveSnapshot(metadata, snapshot), SenderProbe.Ref);
        var success = SenderProbe.ExpectMsg<SaveSnapshotSuccess>(timeout ?? Slow);
        Assert.Equal(metadata.PersistenceId, success.Metadata.PersistenceId);
        Assert.Equal(metadata.SequenceNr, success.Metadata.SequenceNr);
        return success.Metadata;
    }

    protected LoadSnapshotResult Load(string persistenceId, SnapshotSelectionCriteria criteria, long toSequenceNr = long.MaxValue, TimeSpan? timeout = null)
    {
        SnapshotStore.Tell(new LoadSnapshot(persistenceId, criteria, toSequenceNr), SenderProbe.Ref);
        var result = SenderProbe.ExpectMsg<LoadSnapshotResult>(timeout ?? Slow);
        Assert.Equal(toSequenceNr, result.ToSequenceNr);
        return result;
    }

    protected LoadSnapshotResult LoadLatest(string persistenceId, TimeSpan? timeout = null) =>
        Load(persistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue, timeout);

    /// <summary>
    /// Reads a snapshot file as stored: checks the engine line layout <c>{"crc":"XXXXXXXX",BODY}\n</c> and that the
    /// CRC-32C covers BODY, and returns the record (<c>rec</c>).
    /// </summary>
    protected static JsonElement ReadStoredRecord(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Equal(1, bytes.Count(b => b == (byte)'\n')); // one line: one record
        string header = Encoding.ASCII.GetString(bytes, 0, 18);
        Assert.StartsWith("{\"crc\":\"", header);
        Assert.EndsWith("\",", header);
        uint crc = Convert.ToUInt32(header.Substring(8, 8), 16);
        var body = bytes.AsSpan(18, bytes.Length - 18 - 2); // up to, not including, the closing '}' and '\n'
        Assert.Equal(crc, Crc32C.Compute(body));
        using var line = JsonDocument.Parse(bytes);
        return line.RootElement.GetProperty("rec").Clone();
    }
}
