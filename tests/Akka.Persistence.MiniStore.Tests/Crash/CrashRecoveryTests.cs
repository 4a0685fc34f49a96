using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using MiniStore;
using MiniStore.CrashWriter;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Crash;

/// <summary>
/// The crash test of the foundation issue. A child process (tests/MiniStore.CrashWriter) persists events through the
/// plugin with 4 actors, mixing Persist and PersistAll batches of 5, snapshots and deletions, and prints every
/// acknowledged sequence number. Each cycle kills it with SIGKILL after a random number of ACK lines, checks a copy of
/// the store (every acknowledged event is replayed, in order, with no gap and no duplicate, and every batch is whole
/// or absent), and restarts the writer on the same directory, whose engine repairs whatever the kill tore.
/// <para>
/// A SIGKILL cannot stop a small pwritev half way, so a kill alone almost never leaves half a batch on disk. Every
/// other cycle therefore also tears a batch the way a crash during the write (or a power loss before its fsync) would:
/// the unacknowledged batch a writer was writing when it was killed, when a log ends with one, else a batch appended
/// for the purpose through the engine, is cut after 1 to 4 of its 5 lines or in the middle of a line. None of that
/// batch may replay, and everything before it must.
/// </para>
/// <para>Set MINISTORE_CRASH_CYCLES to run more (or fewer) than 10 cycles, e.g. for a soak run.</para>
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const int Actors = 4;
    private static readonly int Cycles = int.TryParse(Environment.GetEnvironmentVariable("MINISTORE_CRASH_CYCLES"), out int cycles) && cycles > 0 ? cycles : 10;

    private readonly ITestOutputHelper _output;
    private readonly string _store = MiniStoreSpec.NewDirectory();
    private readonly Dictionary<string, PidState> _pids = Enumerable.Range(0, Actors)
        .Select(CrashSchedule.PersistenceId)
        .ToDictionary(pid => pid, pid => new PidState(pid));

    public CrashRecoveryTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Every_acknowledged_event_survives_SIGKILL_in_order_and_no_batch_survives_in_part()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        _output.WriteLine($"store {_store}, seed {seed}");
        var total = Stopwatch.StartNew();
        int acks = 0, tears = 0;

        for (int cycle = 1; cycle <= Cycles; cycle++)
        {
            var watch = Stopwatch.StartNew();
            int target = random.Next(20, 401);
            var lines = await RunAndKillAsync(target, cycle);
            int cycleAcks = ReadLines(lines, cycle);
            Assert.True(cycleAcks >= target, $"cycle {cycle}: {cycleAcks} ACK lines, expected at least {target}");
            acks += cycleAcks;

            string tear = "no tear";
            if (cycle % 2 == 0)
            {
                tear = await TearABatchAsync(cycle / 2 % Actors, random);
                tears++;
            }

            // Check a copy, so that the torn tail is left for the restarted writer's engine to repair.
            string copy = MiniStoreSpec.NewDirectory();
            try
            {
                CopyDirectory(_store, copy);
                await VerifyAsync(copy, $"cycle {cycle}");
            }
            finally
            {
                TryDeleteDirectory(copy);
            }
            _output.WriteLine($"cycle {cycle}: killed after {target} ACKs ({cycleAcks} printed in all) in {watch.ElapsedMilliseconds} ms; {tear}; " +
                string.Join(", ", _pids.Values.Select(p => $"{p.Pid} acked<={p.MaxAcked} replays {p.DeletedTo + 1}..{p.Highest}")));
        }

        // Last, the store itself: this opening repairs the tail torn in the last cycle.
        await VerifyAsync(_store, "final");
        int repairs = Directory.EnumerateFiles(Path.Combine(_store, "journal"), "*.broken").Count();
        _output.WriteLine($"{Cycles} cycles, {acks} ACKs, {tears} batches torn, {repairs} torn tails repaired (.broken files), " +
            $"{_pids.Values.Sum(p => p.Snapshots)} snapshots, {_pids.Values.Sum(p => p.DeletesConfirmed)} deletions acknowledged, in {total.Elapsed.TotalSeconds:F1} s");

        Assert.True(repairs >= tears, $"{tears} batches were torn but only {repairs} .broken files show a repair");
        foreach (var pid in _pids.Values)
            Assert.True(pid.MaxAcked > 0, $"{pid.Pid} never acknowledged an event");
        Assert.True(_pids.Values.Sum(p => p.Snapshots) > 0, "no snapshot was saved");
    }

    /// <summary>Starts the writer, reads stdout until <paramref name="target"/> ACK lines arrived, kills it with SIGKILL and returns every complete line it printed.</summary>
    private async Task<List<string>> RunAndKillAsync(int target, int cycle)
    {
        var stderr = new StringBuilder();
        using var process = CrashWriterProcess.Start(CrashWriterProcess.DotnetHost, [CrashWriterProcess.DllPath, _store, Actors.ToString()], stderr);
        var lines = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            int acks = 0;
            while (acks < target)
            {
                string? line;
                try
                {
                    line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"cycle {cycle}: only {acks} of {target} ACK lines within 30 s. stderr:\n{stderr}");
                }
                if (line is null)
                {
                    await process.WaitForExitAsync();
                    Assert.Fail($"cycle {cycle}: the writer exited with {process.ExitCode} after {acks} ACK lines. stderr:\n{stderr}");
                }
                lines.Add(line);
                if (line.StartsWith("ACK ", StringComparison.Ordinal))
                    acks++;
            }
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true); // SIGKILL on Unix
            await process.WaitForExitAsync();
        }

        // Lines still in the pipe were printed before the kill, so they were acknowledged too. A line is written with
        // one write() and cannot be cut, but drop an unterminated last piece all the same.
        string rest = await process.StandardOutput.ReadToEndAsync();
        var pieces = rest.Split('\n');
        lines.AddRange(pieces.Take(pieces.Length - 1));
        return lines;
    }

    /// <summary>Records what the writer said; checks its RECOVERED lines against the last verification. Returns the number of ACK lines.</summary>
    private int ReadLines(List<string> lines, int cycle)
    {
        int acks = 0;
        foreach (string line in lines)
        {
            var parts = line.Split(' ');
            if (parts[0] == "ERROR")
                Assert.Fail($"cycle {cycle}: the writer reported: {line}");
            if (parts.Length < 3 || !_pids.TryGetValue(parts[1], out var pid))
                continue; // not a protocol line
            long seq = long.Parse(parts[2]);
            switch (parts[0])
            {
                case "RECOVERED":
                    // The writer recovered from the store the previous cycle verified (after the same repair).
                    Assert.True(seq == pid.Highest, $"cycle {cycle}: writer recovered {pid.Pid} at {seq}, the verification found {pid.Highest}");
                    Assert.Equal(pid.Expected.ChecksumAt(seq).ToString("x16"), parts[3]);
                    break;
                case "ACK":
                    acks++;
                    Assert.True(seq > pid.Highest, $"cycle {cycle}: {pid.Pid} acknowledged {seq}, which the store already held ({pid.Highest}): a sequence number was written twice");
                    pid.MaxAcked = Math.Max(pid.MaxAcked, seq);
                    break;
                case "SNAPSHOT":
                    pid.Snapshots++;
                    break;
                case "DELETE":
                    pid.DeleteRequested.Add(seq);
                    break;
                case "DELETED":
                    pid.DeletesConfirmed++;
                    pid.DeletedToConfirmed = Math.Max(pid.DeletedToConfirmed, seq);
                    break;
            }
        }
        return acks;
    }

    /// <summary>
    /// Cuts a batch short, beyond every acknowledged event: the unacknowledged batch a writer was writing when it was
    /// killed, if any persistence id's log ends with one, else a batch appended now through the engine to the log of
    /// actor <paramref name="preferred"/>.
    /// </summary>
    private async Task<string> TearABatchAsync(int preferred, Random random)
    {
        var order = Enumerable.Range(0, Actors).Select(i => _pids[CrashSchedule.PersistenceId((preferred + i) % Actors)]).ToList();
        PidState? pid = null;
        string path = "";
        List<RawLine>? batch = null;
        string origin = "the unacknowledged batch the writer was writing";
        foreach (var candidate in order)
        {
            path = Path.Combine(_store, "journal", PersistenceIdFileName.For(candidate.Pid) + ".jsonl");
            batch = await UnacknowledgedLastBatchAsync(path, candidate);
            if (batch is not null)
            {
                pid = candidate;
                break;
            }
        }
        if (batch is null)
        {
            pid = order[0];
            path = Path.Combine(_store, "journal", PersistenceIdFileName.For(pid.Pid) + ".jsonl");
            origin = "a batch appended for the purpose";
            await AppendBatchAsync(path, pid.Pid);
            batch = await UnacknowledgedLastBatchAsync(path, pid) ?? throw new InvalidOperationException($"no batch found at the end of '{path}' after appending one");
        }

        long cutAt;
        string where;
        if (random.Next(2) == 0)
        {
            int whole = random.Next(1, batch.Count); // 1..4 complete lines of the batch stay
            cutAt = batch[whole - 1].End;
            where = $"after {whole} of its {batch.Count} lines";
        }
        else
        {
            var line = batch[random.Next(batch.Count)];
            cutAt = line.Offset + 1 + random.Next((int)(line.End - line.Offset - 2)); // keeps 1 .. length-1 bytes, so the '\n' is gone
            where = $"in the middle of its line {batch.IndexOf(line) + 1}";
        }
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(cutAt);
            file.Flush(flushToDisk: true);
        }
        long first = batch[0].Seq!.Value;
        pid!.HighestAfterTear = first - 1;
        return $"{pid.Pid}: tore {origin} ({first}..{first + batch.Count - 1}) {where}";
    }

    /// <summary>
    /// The lines of the batch that ends the log at <paramref name="path"/>, if a crash could have torn it: it lies
    /// beyond the frame holding the highest acknowledged event, and nothing durable refers to it. (A deletion mark
    /// records the highest sequence number when it was written, which may include events that were written and
    /// fsync'd but whose ACK the kill prevented; such events are durable and must stay.) Null when there is none.
    /// </summary>
    private static async Task<List<RawLine>?> UnacknowledgedLastBatchAsync(string path, PidState pid)
    {
        if (!File.Exists(path))
            return null;
        var lines = RawLine.Split(await File.ReadAllBytesAsync(path));
        int keepLines = 0;
        int acked = lines.FindLastIndex(l => l.Seq == pid.MaxAcked);
        if (acked >= 0)
        {
            keepLines = acked;
            while (keepLines < lines.Count && lines[keepLines].More)
                keepLines++;
            keepLines++;
        }
        var batch = LastFrameFrom(lines, keepLines);
        if (batch is null || batch.Count == 1 || batch[0].Seq <= await HighestMarkedAsync(path))
            return null;
        return batch;
    }

    /// <summary>
    /// The lines of the last frame of the file if it is complete and starts at or after line <paramref name="from"/>
    /// (which must start a frame); null when there is no such frame or the kill left the last one unfinished.
    /// </summary>
    private static List<RawLine>? LastFrameFrom(List<RawLine> lines, int from)
    {
        List<RawLine>? last = null;
        for (int start = from; start < lines.Count;)
        {
            int end = start;
            while (end < lines.Count && lines[end].More)
                end++;
            if (end >= lines.Count)
                return null;
            last = lines.GetRange(start, end - start + 1);
            start = end + 1;
        }
        return last is not null && last.All(l => l.Complete && l.Seq is not null) ? last : null;
    }

    /// <summary>The highest "highestSeq" among the deletion marks of the event log at <paramref name="eventsPath"/>.</summary>
    private static async Task<long> HighestMarkedAsync(string eventsPath)
    {
        long highest = 0;
        await foreach (var mark in MiniStoreLog.ReadAsync(Path.ChangeExtension(eventsPath, ".deleted.jsonl")))
        {
            using var json = JsonDocument.Parse(mark.Json);
            highest = Math.Max(highest, json.RootElement.GetProperty("highestSeq").GetInt64());
        }
        return highest;
    }

    /// <summary>Appends one PersistAll-like batch of 5 events after the last event of the log, in the plugin's record format, through the engine.</summary>
    private static async Task AppendBatchAsync(string path, string pid)
    {
        await using var log = await MiniStoreLog.OpenAsync(path);
        var last = log.LastRecordAtOpen ?? throw new InvalidOperationException($"'{path}' holds no event to copy the record format from");
        var template = JsonNode.Parse(last.Span)!.AsObject();
        long next = template["seq"]!.GetValue<long>() + 1;
        var records = new List<ReadOnlyMemory<byte>>();
        for (int i = 0; i < CrashSchedule.BatchSize; i++)
        {
            var record = template.DeepClone().AsObject();
            record["seq"] = next + i;
            record["payload"] = JsonSerializer.SerializeToNode(new CrashEvent(pid, next + i, $"torn/{pid}/{next}", CrashSchedule.BatchSize, i));
            records.Add(JsonSerializer.SerializeToUtf8Bytes(record));
        }
        await log.AppendJsonBatchAsync(records);
    }

    /// <summary>
    /// Replays every persistence id of <paramref name="store"/> twice through the plugin, once ignoring snapshots and
    /// once from the latest snapshot, and checks both against what the writer acknowledged and the schedule.
    /// </summary>
    private async Task VerifyAsync(string store, string label)
    {
        var system = ActorSystem.Create("crash-verify", MiniStoreSpec.Configuration(store, "akka.loglevel = WARNING"));
        try
        {
            foreach (var pid in _pids.Values)
            {
                var all = await ReplayAsync(system, pid.Pid, new Recovery(SnapshotSelectionCriteria.None), $"{label}, {pid.Pid}");
                var fromSnapshot = await ReplayAsync(system, pid.Pid, Recovery.Default, $"{label}, {pid.Pid}");
                Check(pid, all, fromSnapshot, label);
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static void Check(PidState pid, Replay all, Replay fromSnapshot, string label)
    {
        string at = $"{label}, {pid.Pid}";
        long highest = all.Highest;
        var events = all.Events;

        // Every acknowledged event is there: none beyond the end, and no gap below it.
        Assert.True(pid.MaxAcked <= highest, $"{at}: event {pid.MaxAcked} was acknowledged but the journal ends at {highest}: acknowledged events were lost");
        if (pid.HighestAfterTear is { } expected)
            Assert.True(highest == expected, $"{at}: after tearing the batch that starts at {expected + 1}, replay should end at {expected}, not {highest}");
        pid.HighestAfterTear = null;

        long deletedTo = events.Count > 0 ? events[0].Seq - 1 : highest;
        Assert.True(deletedTo == 0 || pid.DeleteRequested.Contains(deletedTo), $"{at}: replay starts at {deletedTo + 1}, but deleting up to {deletedTo} was never asked for");
        Assert.True(deletedTo >= pid.DeletedToConfirmed, $"{at}: deleting up to {pid.DeletedToConfirmed} was acknowledged but replay starts at {deletedTo + 1}");
        Assert.True(deletedTo < highest || highest == 0, $"{at}: every event up to {highest} is deleted, but deletions only go up to an earlier snapshot");

        // In order, no gaps, no duplicates, each the event the schedule puts there.
        for (int i = 0; i < events.Count; i++)
        {
            var (seq, e) = events[i];
            Assert.True(seq == deletedTo + 1 + i, $"{at}: replayed sequence number {seq} at position {i}, expected {deletedTo + 1 + i} (gap, duplicate or disorder)");
            Assert.True(e == pid.Expected.At(seq), $"{at}: sequence number {seq} holds {e}, expected {pid.Expected.At(seq)}");
        }
        Assert.Equal(highest, deletedTo + events.Count);

        // Batches are whole or absent: replay starts at the start of a command and ends at the end of one.
        if (events.Count > 0)
        {
            Assert.True(events[0].Event.BatchIndex == 0, $"{at}: replay starts inside batch {events[0].Event.BatchId}");
            var lastEvent = events[^1].Event;
            Assert.True(lastEvent.BatchIndex == lastEvent.BatchSize - 1,
                $"{at}: replay ends with event {lastEvent.BatchIndex + 1} of the {lastEvent.BatchSize} of batch {lastEvent.BatchId}: part of a PersistAll batch survived");
        }
        foreach (var batch in events.Where(e => e.Event.BatchId is not null).GroupBy(e => e.Event.BatchId))
            Assert.True(batch.Count() == CrashSchedule.BatchSize, $"{at}: batch {batch.Key} replays {batch.Count()} of its {CrashSchedule.BatchSize} events");

        // Recovery from the latest snapshot lands on the same state.
        Assert.Equal(highest, fromSnapshot.Highest);
        long snapshotAt = 0;
        ulong checksum = CrashSchedule.InitialChecksum;
        if (fromSnapshot.Snapshot is { } offer)
        {
            snapshotAt = offer.Seq;
            Assert.True(snapshotAt >= deletedTo && snapshotAt <= highest, $"{at}: snapshot at {snapshotAt} outside {deletedTo}..{highest}");
            Assert.Equal(snapshotAt, offer.State.LastN);
            Assert.True(offer.State.Checksum == pid.Expected.ChecksumAt(snapshotAt), $"{at}: snapshot at {snapshotAt} holds a state that differs from the events up to it");
            checksum = offer.State.Checksum;
        }
        else
        {
            Assert.True(deletedTo == 0, $"{at}: events up to {deletedTo} are deleted and no snapshot is offered");
        }
        Assert.Equal(events.Where(e => e.Seq > snapshotAt), fromSnapshot.Events);
        foreach (var (_, e) in fromSnapshot.Events)
            checksum = CrashSchedule.Fold(checksum, e);
        Assert.True(checksum == pid.Expected.ChecksumAt(highest), $"{at}: state recovered from the snapshot at {snapshotAt} differs from the state after all events");

        pid.Highest = highest;
        pid.DeletedTo = deletedTo;
    }

    private static async Task<Replay> ReplayAsync(ActorSystem system, string pid, Recovery recovery, string label)
    {
        var done = new TaskCompletionSource<Replay>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new ReplayActor(pid, recovery, done)));
        try
        {
            return await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{label}: recovery did not complete within 30 s");
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string dir in Directory.EnumerateDirectories(from))
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    private static void TryDeleteDirectory(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public void Dispose() => TryDeleteDirectory(_store);

    private sealed record Replay(long Highest, (long Seq, CrashSnapshot State)? Snapshot, List<(long Seq, CrashEvent Event)> Events);

    /// <summary>Recovers a persistence id and reports what was replayed, then stops.</summary>
    private sealed class ReplayActor : ReceivePersistentActor
    {
        private readonly Recovery _recovery;
        private readonly TaskCompletionSource<Replay> _done;
        private readonly List<(long, CrashEvent)> _events = new();
        private (long, CrashSnapshot)? _snapshot;

        public ReplayActor(string persistenceId, Recovery recovery, TaskCompletionSource<Replay> done)
        {
            PersistenceId = persistenceId;
            _recovery = recovery;
            _done = done;
            Recover<SnapshotOffer>(offer => _snapshot = (offer.Metadata.SequenceNr, (CrashSnapshot)offer.Snapshot));
            Recover<CrashEvent>(e => _events.Add((LastSequenceNr, e)));
            Recover<RecoveryCompleted>(_ =>
            {
                _done.TrySetResult(new Replay(LastSequenceNr, _snapshot, _events));
                Context.Stop(Self);
            });
            CommandAny(_ => { });
        }

        public override string PersistenceId { get; }
        public override Recovery Recovery => _recovery;

        protected override void OnRecoveryFailure(Exception reason, object? message = null)
        {
            _done.TrySetException(new InvalidOperationException($"recovery of '{PersistenceId}' failed: {reason.Message}", reason));
            base.OnRecoveryFailure(reason, message);
        }
    }

    /// <summary>What the test knows of one persistence id across cycles.</summary>
    private sealed class PidState(string pid)
    {
        public string Pid { get; } = pid;
        public ExpectedStream Expected { get; } = new(pid);
        /// <summary>Highest sequence number the writer acknowledged, in any cycle.</summary>
        public long MaxAcked { get; set; }
        /// <summary>Highest sequence number and deleted-to mark found by the last verification.</summary>
        public long Highest { get; set; }
        public long DeletedTo { get; set; }
        /// <summary>Where replay must end after a batch was torn, until the next verification.</summary>
        public long? HighestAfterTear { get; set; }
        public HashSet<long> DeleteRequested { get; } = new();
        public long DeletedToConfirmed { get; set; }
        public int DeletesConfirmed { get; set; }
        public int Snapshots { get; set; }
    }

    /// <summary>The events and checksums the schedule puts at each sequence number of one persistence id.</summary>
    private sealed class ExpectedStream(string pid)
    {
        private readonly IEnumerator<CrashEvent> _events = CrashSchedule.Events(pid).GetEnumerator();
        private readonly List<CrashEvent> _list = new();
        private readonly List<ulong> _checksums = [CrashSchedule.InitialChecksum];

        public CrashEvent At(long seq)
        {
            Fill(seq);
            return _list[(int)seq - 1];
        }

        public ulong ChecksumAt(long seq)
        {
            Fill(seq);
            return _checksums[(int)seq];
        }

        private void Fill(long seq)
        {
            while (_list.Count < seq)
            {
                _events.MoveNext();
                _list.Add(_events.Current);
                _checksums.Add(CrashSchedule.Fold(_checksums[^1], _events.Current));
            }
        }
    }

    /// <summary>One line of a log file as bytes: where it is, whether it ended with '\n', its "more" flag and its record's "seq".</summary>
    private sealed record RawLine(long Offset, long End, bool Complete, bool More, long? Seq)
    {
        public static List<RawLine> Split(byte[] bytes)
        {
            var lines = new List<RawLine>();
            for (int start = 0; start < bytes.Length;)
            {
                int newline = Array.IndexOf(bytes, (byte)'\n', start);
                bool complete = newline >= 0;
                int end = complete ? newline + 1 : bytes.Length;
                bool more = false;
                long? seq = null;
                try
                {
                    using var json = JsonDocument.Parse(bytes.AsMemory(start, end - start));
                    more = json.RootElement.TryGetProperty("more", out var flag) && flag.GetBoolean();
                    seq = json.RootElement.GetProperty("rec").GetProperty("seq").GetInt64();
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    // a damaged or torn line
                }
                lines.Add(new RawLine(start, end, complete, more, seq));
                start = end;
            }
            return lines;
        }
    }
}
