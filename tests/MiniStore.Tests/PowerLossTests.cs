using System.Text;
using MiniStore.PowerLoss;

namespace MiniStore.Tests;

/// <summary>
/// Power loss at every point of a recorded workload (tests/MiniStore.PowerLoss): concurrent single and batch appends
/// to two new logs in a new directory, a log reopened, a torn tail repaired. At each point every state a power loss
/// can leave (unsynced writes lost, cut at line ends and mid-line, or read back as zeros; files whose directory entry
/// was not synced gone) is written to a fresh directory and reopened: every log opens, every acknowledged record is
/// there, records are in the order written with nothing foreign, and every cut-off tail is repaired and reported.
/// The same checks on a recording that leaves out the file syncs, or the directory syncs, must find losses.
/// </summary>
public sealed class PowerLossTests : IDisposable
{
    private readonly TempDir _root = new();

    [Fact]
    public async Task Every_acknowledged_record_survives_a_power_loss_at_every_point_and_torn_tails_are_repaired()
    {
        if (!RecordingFileSync.IsSupported) return; // the recorder needs /proc (Linux)
        var (recording, written) = await RecordWorkloadAsync(Omit.Nothing);

        var check = await CheckEveryStateAsync(recording, written);

        Assert.True(check.Violations.Count == 0, string.Join("\n", check.Violations.Take(20)));
        Assert.True(check.Points > 50, $"only {check.Points} crash points");
        Assert.True(check.Repairs > check.Points, $"{check.States} states but only {check.Repairs} needed a repair: the tears did not tear");
        Assert.True(check.VanishedFiles > 0, "no state lost a file whose directory entry was not yet durable");
    }

    [Theory]
    [InlineData(Omit.FileSyncs)]
    [InlineData(Omit.DirectorySyncs)]
    public async Task The_model_finds_acknowledged_records_lost_when_syncs_are_left_out(Omit omit)
    {
        if (!RecordingFileSync.IsSupported) return;
        var (recording, written) = await RecordWorkloadAsync(omit);

        var check = await CheckEveryStateAsync(recording, written);

        Assert.Contains(check.Violations, v => v.Contains("acknowledged record", StringComparison.Ordinal));
    }

    /// <summary>
    /// A compaction (copy of the live suffix, fsync, rename over the log, directory fsync) followed by appends to the
    /// new log: at every point of it, whatever a power loss leaves, the log opens and holds every record that was
    /// live before the compaction and every append acknowledged after it. Without the copy's fsync the renamed log
    /// could be empty; without the directory fsync the name could still lead to the old file, which lacks the appends.
    /// </summary>
    [Theory]
    [InlineData(Omit.Nothing, false)]
    [InlineData(Omit.FileSyncs, true)]
    [InlineData(Omit.DirectorySyncs, true)]
    public async Task A_compacted_log_keeps_its_live_and_its_later_records_through_a_power_loss_at_every_point(Omit omit, bool losses)
    {
        if (!RecordingFileSync.IsSupported) return;
        string path = _root.File("c.jsonl");
        await using (var log = await MiniStoreLog.OpenAsync(path))
            for (int n = 0; n < 6; n++)
                await log.AppendJsonAsync($$"""{"n":{{n}}}""");
        var before = await ReadRecordsAsync(path);
        long cut = 0;
        await foreach (var record in MiniStoreLog.ReadAsync(path))
            if (record.LineNumber == 4)
                cut = record.Offset;

        var recording = new RecordingFileSync(_root.Path, new CountingSync(realSync: false), omit);
        foreach (var live in before.Skip(3))
            recording.Acknowledge(path, live);
        var options = new MiniStoreOptions { FileSync = recording };
        await LogCompactor.DropPrefixAsync(path, cut, options);
        await using (var log = await MiniStoreLog.OpenAsync(path, options))
            for (int n = 6; n < 8; n++)
            {
                await log.AppendJsonAsync($$"""{"n":{{n}}}""");
                recording.Acknowledge(path, $$"""{"n":{{n}}}""");
            }
        Assert.Equal(before.Skip(3).Append("""{"n":6}""").Append("""{"n":7}"""), await ReadRecordsAsync(path));

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
                    await using (await MiniStoreLog.OpenAsync(map(path), reopen)) { }
                    survived = await ReadRecordsAsync(map(path));
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
    /// directory <c>logs</c>, three writers append concurrently (singles and batches of 3) to the new logs a and b;
    /// a is reopened and appended to; t is opened (repairing its tail) and appended to. Returns the recording and,
    /// for each log, every record in the order it is in the file at the end.
    /// </summary>
    private async Task<(RecordingFileSync, Dictionary<string, List<string>>)> RecordWorkloadAsync(Omit omit)
    {
        string torn = _root.File("t.jsonl");
        await using (var t = await MiniStoreLog.OpenAsync(torn))
            await t.AppendJsonBatchAsync("""{"w":"t0","n":0,"j":0}""", """{"w":"t0","n":1,"j":0}""");
        await File.AppendAllTextAsync(torn, """{"crc":"0000""");

        var recording = new RecordingFileSync(_root.Path, new CountingSync(realSync: false), omit);
        recording.Acknowledge(torn, """{"w":"t0","n":0,"j":0}""");
        recording.Acknowledge(torn, """{"w":"t0","n":1,"j":0}""");
        var options = new MiniStoreOptions { FileSync = recording };
        string a = _root.File("logs/a.jsonl"), b = _root.File("logs/b.jsonl");

        async Task Write(MiniStoreLog log, string writer, int appends, int batchSize)
        {
            for (int n = 0; n < appends; n++)
            {
                var records = Enumerable.Range(0, batchSize).Select(j => $$"""{"w":"{{writer}}","n":{{n}},"j":{{j}}}""").ToList();
                await log.AppendJsonBatchAsync(records.ToArray());
                foreach (var record in records)
                    recording.Acknowledge(log.Path, record);
            }
        }

        await using (var logA = await MiniStoreLog.OpenAsync(a, options))
        await using (var logB = await MiniStoreLog.OpenAsync(b, options))
            await Task.WhenAll(Task.Run(() => Write(logA, "a1", 15, 1)), Task.Run(() => Write(logA, "a2", 6, 3)), Task.Run(() => Write(logB, "b1", 10, 1)));
        await using (var logA = await MiniStoreLog.OpenAsync(a, options))
            await Write(logA, "a3", 4, 2);
        await using (var logT = await MiniStoreLog.OpenAsync(torn, options))
        {
            Assert.NotNull(logT.Repair);
            await Write(logT, "t1", 3, 1);
        }

        var written = new Dictionary<string, List<string>>();
        foreach (string log in new[] { a, b, torn })
            written[log] = await ReadRecordsAsync(log);
        return (recording, written);
    }

    private sealed record Check(List<string> Violations, int Points, int States, int Repairs, int VanishedFiles);

    private static async Task<Check> CheckEveryStateAsync(RecordingFileSync recording, Dictionary<string, List<string>> written)
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
                        await using var reopened = await MiniStoreLog.OpenAsync(map(log), reopen);
                        if (reopened.Length != content.Length)
                        {
                            repairs++;
                            if (reopened.Repair is not { } repair || repair.BytesRemoved != content.Length - reopened.Length || !File.Exists(repair.BrokenCopyPath))
                                violations.Add($"{at}: '{log}' was cut from {content.Length} to {reopened.Length} bytes without a repair report and .broken copy");
                        }
                        survived[log] = await ReadRecordsAsync(map(log));
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

    private static async Task<List<string>> ReadRecordsAsync(string path)
    {
        var records = new List<string>();
        await foreach (var record in MiniStoreLog.ReadAsync(path))
            records.Add(Encoding.UTF8.GetString(record.Json.Span));
        return records;
    }

    public void Dispose() => _root.Dispose();
}
