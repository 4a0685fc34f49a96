using MiniStore.PowerLoss;

namespace MiniStore.Tests;

/// <summary>
/// Power loss at every point of a recorded workload (tests/MiniStore.PowerLoss): single and batch appends from several
/// threads to two new logs in a new directory, a log reopened, a torn tail repaired. At each point every state a power loss
/// can leave (unsynced writes lost, cut at line ends and mid-line, or read back as zeros; files whose directory entry
/// was not synced gone) is written to a fresh directory and reopened: every log opens, every acknowledged record is
/// there, records are in the order written with nothing foreign, and every cut-off tail is reported and repaired.
/// The same checks on a recording that leaves out the file syncs, or the directory syncs, must find losses.
/// </summary>
public sealed class PowerLossTests : IDisposable
{
    private const string NeedsProc = "the recorder maps file handles to paths and inodes through /proc (Linux only)";
    private readonly TempDir _root = new();

    [SkippableFact]
    public void Every_acknowledged_record_survives_a_power_loss_at_every_point_and_torn_tails_are_repaired()
    {
        Skip.IfNot(RecordingFileSync.IsSupported, NeedsProc);
        var (recording, written) = RecordWorkload(Omit.Nothing);

        var check = CheckEveryState(recording, written);

        Assert.True(check.Violations.Count == 0, string.Join("\n", check.Violations.Take(20)));
        Assert.True(check.Points > 50, $"only {check.Points} crash points");
        Assert.True(check.Repairs > check.Points, $"{check.States} states but only {check.Repairs} needed a repair: the tears did not tear");
        Assert.True(check.VanishedFiles > 0, "no state lost a file whose directory entry was not yet durable");
    }

    [SkippableTheory]
    [InlineData(Omit.FileSyncs)]
    [InlineData(Omit.DirectorySyncs)]
    public void The_model_finds_acknowledged_records_lost_when_syncs_are_left_out(Omit omit)
    {
        Skip.IfNot(RecordingFileSync.IsSupported, NeedsProc);
        var (recording, written) = RecordWorkload(omit);

        var check = CheckEveryState(recording, written);

        Assert.Contains(check.Violations, v => v.Contains("acknowledged record", StringComparison.Ordinal));
    }

    /// <summary>
    /// A compaction (copy of the live suffix, fsync, rename over the log, directory fsync) followed by appends to the
    /// new log: at every point of it, whatever a power loss leaves, the log opens and holds every record that was
    /// live before the compaction and every append acknowledged after it. Without the copy's fsync the renamed log
    /// could be empty; without the directory fsync the name could still lead to the old file, which lacks the appends.
    /// </summary>
    [SkippableTheory]
    [InlineData(Omit.Nothing, false)]
    [InlineData(Omit.FileSyncs, true)]
    [InlineData(Omit.DirectorySyncs, true)]
    public void A_compacted_log_keeps_its_live_and_its_later_records_through_a_power_loss_at_every_point(Omit omit, bool losses)
    {
        Skip.IfNot(RecordingFileSync.IsSupported, NeedsProc);
        string path = _root.File("c.jsonl");
        long cut;
        using (var log = MiniStoreLog.Open(path))
        {
            for (int n = 0; n < 6; n++)
                log.AppendJson($$"""{"n":{{n}}}""");
            cut = log.Read().Single(r => r.LineNumber == 4).Offset;
        }
        var before = LogTestHelpers.ReadJson(path);

        var recording = new RecordingFileSync(_root.Path, new CountingSync(realSync: false), omit);
        foreach (var live in before.Skip(3))
            recording.Acknowledge(path, live);
        var options = new MiniStoreOptions { FileSync = recording };
        using (var log = MiniStoreLog.Open(path, options))
            LogCompactor.DropPrefix(log, cut);
        using (var log = MiniStoreLog.Open(path, options))
            for (int n = 6; n < 8; n++)
            {
                log.AppendJson($$"""{"n":{{n}}}""");
                recording.Acknowledge(path, $$"""{"n":{{n}}}""");
            }
        Assert.Equal(before.Skip(3).Append("""{"n":6}""").Append("""{"n":7}"""), LogTestHelpers.ReadJson(path));

        var model = new PowerLossModel(recording);
        var violations = new List<string>();
        var reopen = new MiniStoreOptions { FileSync = new CountingSync(realSync: false) };
        for (int k = 0; k < model.Points; k++)
            foreach (var state in model.StatesAt(k, new Random(k)))
            {
                using var target = new TempDir();
                var map = state.Materialize(recording.Root, target.Path);
                var survived = new List<string>();
                if (state.Files.ContainsKey(path))
                {
                    using var reopened = MiniStoreLog.Open(map(path), reopen);
                    reopened.RepairTail();
                    survived = reopened.ReadJson();
                }
                foreach (var ack in model.AcknowledgedBefore(k))
                    if (!survived.Contains(ack.Record))
                        violations.Add($"point {k} of {model.Points - 1}, {state.Description}: acknowledged record {ack.Record} is lost");
            }

        if (losses)
            Assert.NotEmpty(violations);
        else
            Assert.True(violations.Count == 0, string.Join("\n", violations.Take(20)));
    }

    /// <summary>
    /// The workload. Before recording starts, <c>t.jsonl</c> holds two records and a torn third. Then, in a new
    /// directory <c>logs</c>, three writers append from their own threads (singles and batches of 3) to the new logs a
    /// and b, the two writers of a serializing their appends through a lock of theirs; a is reopened and appended to;
    /// t is opened (its torn tail found, and cut by its first append) and appended to. Returns the recording and, for
    /// each log, every record in the order it is in the file at the end.
    /// </summary>
    private (RecordingFileSync, Dictionary<string, List<string>>) RecordWorkload(Omit omit)
    {
        string torn = _root.File("t.jsonl");
        using (var t = MiniStoreLog.Open(torn))
            t.AppendJsonBatch("""{"w":"t0","n":0,"j":0}""", """{"w":"t0","n":1,"j":0}""");
        File.AppendAllText(torn, """{"crc":"0000""");

        var recording = new RecordingFileSync(_root.Path, new CountingSync(realSync: false), omit);
        recording.Acknowledge(torn, """{"w":"t0","n":0,"j":0}""");
        recording.Acknowledge(torn, """{"w":"t0","n":1,"j":0}""");
        var options = new MiniStoreOptions { FileSync = recording };
        string a = _root.File("logs/a.jsonl"), b = _root.File("logs/b.jsonl");
        // The logs' directory is their owner's to create, durably: the entry of "logs" in its parent is synced too.
        Directory.CreateDirectory(_root.File("logs"));
        recording.SyncDirectory(_root.Path);

        void Write(MiniStoreLog log, object gate, string writer, int appends, int batchSize)
        {
            for (int n = 0; n < appends; n++)
            {
                var records = Enumerable.Range(0, batchSize).Select(j => $$"""{"w":"{{writer}}","n":{{n}},"j":{{j}}}""").ToArray();
                lock (gate)
                {
                    log.AppendJsonBatch(records);
                    foreach (var record in records)
                        recording.Acknowledge(log.Path, record);
                }
            }
        }

        using (var logA = MiniStoreLog.Open(a, options))
        using (var logB = MiniStoreLog.Open(b, options))
        {
            object gateA = new(), gateB = new();
            Task.WaitAll(Task.Run(() => Write(logA, gateA, "a1", 15, 1)), Task.Run(() => Write(logA, gateA, "a2", 6, 3)), Task.Run(() => Write(logB, gateB, "b1", 10, 1)));
        }
        using (var logA = MiniStoreLog.Open(a, options))
            Write(logA, new object(), "a3", 4, 2);
        using (var logT = MiniStoreLog.Open(torn, options))
        {
            Assert.NotNull(logT.TornTail);
            Write(logT, new object(), "t1", 3, 1);
        }

        var written = new Dictionary<string, List<string>>();
        foreach (string log in new[] { a, b, torn })
            written[log] = LogTestHelpers.ReadJson(log);
        return (recording, written);
    }

    private sealed record Check(List<string> Violations, int Points, int States, int Repairs, int VanishedFiles);

    /// <summary>
    /// Reopens every log of every state: it must open, report what is past its last complete batch as a torn tail
    /// (and nothing else), have that tail cut into a .broken copy by the repair, and replay a prefix of what was written.
    /// </summary>
    private static Check CheckEveryState(RecordingFileSync recording, Dictionary<string, List<string>> written)
    {
        var model = new PowerLossModel(recording);
        var random = new Random(20261126);
        var violations = new List<string>();
        int states = 0, repairs = 0, vanished = 0;
        var reopen = new MiniStoreOptions { FileSync = new CountingSync(realSync: false) };
        for (int k = 0; k < model.Points; k++)
        {
            foreach (var state in model.StatesAt(k, random))
            {
                states++;
                using var target = new TempDir();
                var map = state.Materialize(recording.Root, target.Path);
                string at = $"point {k} of {model.Points - 1}, {state.Description}";
                var survived = new Dictionary<string, List<string>>();
                foreach (var (log, order) in written)
                {
                    if (!state.Files.TryGetValue(log, out var content))
                    {
                        vanished++;
                        continue;
                    }
                    try
                    {
                        using var reopened = MiniStoreLog.Open(map(log), reopen);
                        long committed = reopened.Length;
                        if (committed != content.Length)
                        {
                            repairs++;
                            if (reopened.TornTail is not { } torn || torn.Offset != committed || torn.Length != content.Length - committed)
                                violations.Add($"{at}: '{log}' ends at {committed} of its {content.Length} bytes, but its torn tail is reported as {reopened.TornTail?.ToString() ?? "none"}");
                            else if (reopened.RepairTail() is not { } repair || repair.Length != torn.Length || !File.Exists(repair.BrokenCopyPath)
                                     || new FileInfo(map(log)).Length != committed)
                                violations.Add($"{at}: '{log}' was not cut from {content.Length} to {committed} bytes with a repair report and .broken copy");
                        }
                        else if (reopened.TornTail is not null)
                            violations.Add($"{at}: '{log}' ends cleanly but a torn tail is reported: {reopened.TornTail}");
                        survived[log] = reopened.ReadJson();
                    }
                    catch (Exception e)
                    {
                        violations.Add($"{at}: '{log}' does not open: {e.Message}");
                        continue;
                    }
                    if (!survived[log].SequenceEqual(order.Take(survived[log].Count)))
                        violations.Add($"{at}: '{log}' replays [{string.Join(", ", survived[log])}], not a prefix of what was written (reordered or foreign records)");
                }
                foreach (var ack in model.AcknowledgedBefore(k))
                    if (!survived.TryGetValue(ack.Path, out var records) || !records.Contains(ack.Record))
                        violations.Add($"{at}: acknowledged record {ack.Record} of '{ack.Path}' is lost");
            }
        }
        return new Check(violations, model.Points, states, repairs, vanished);
    }

    public void Dispose() => _root.Dispose();
}
