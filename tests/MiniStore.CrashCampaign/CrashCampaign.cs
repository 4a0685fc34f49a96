using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Persistence.MiniStore;
using MiniStore.CrashWriter;

namespace MiniStore.CrashCampaign;

/// <summary>What a campaign runs: how many kill/restart cycles, how many actors, which seed.</summary>
public sealed record CampaignOptions(int Cycles, int Actors = 4, int? Seed = null, string? StoreDirectory = null, bool KeepStore = false);

/// <summary>What a campaign did; every cycle's invariants held if it returned one.</summary>
public sealed record CampaignResult(int Cycles, int Seed, int Acks, int KillsAfterAcks, int KillsAfterDelay, int KillsBeforeRecovery,
    int Tears, int Repairs, int RepairsByWriter, int RepairsReported, int Snapshots, int Deletions, int SnapshotDeletions, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Cycles} cycles (seed {Seed}): {Acks} events acknowledged, every one replayed in order with no gap or duplicate; " +
        $"SIGKILL after a number of ACKs {KillsAfterAcks}x, after a random delay {KillsAfterDelay}x ({KillsBeforeRecovery} before every actor had recovered); " +
        $"{Tears} batches torn, {Repairs} torn tails repaired (.broken files), {RepairsByWriter} of them by the writer, {RepairsReported} seen logged by it; " +
        $"{Snapshots} snapshots, {Deletions} event deletions, {SnapshotDeletions} snapshot deletions acknowledged; {Elapsed.TotalSeconds:F1} s";
}

/// <summary>
/// The crash campaign. A child process (tests/MiniStore.CrashWriter) persists events through the plugin with several
/// actors, mixing Persist and PersistAll batches of 5, snapshots, event deletions and snapshot deletions, and prints
/// every acknowledgement. Each cycle kills it with SIGKILL at a random moment (after a random number of ACK lines, or
/// after a random delay that may fall during start-up, recovery or tail repair), checks a copy of the store (see
/// <see cref="StoreVerifier"/>), and restarts the writer on the same directory, whose engine repairs whatever the
/// kill tore and must report it.
/// <para>
/// A SIGKILL cannot stop a small pwritev half way, so a kill alone almost never leaves half a batch on disk. Every
/// other cycle therefore also tears a batch the way a crash during the write (or a power loss before its fsync) would
/// (see <see cref="BatchTearer"/>). None of that batch may replay, and everything before it must.
/// </para>
/// Any broken invariant throws <see cref="CampaignFailure"/>.
/// </summary>
public sealed partial class CrashCampaign
{
    private readonly CampaignOptions _options;
    private readonly Action<string> _log;
    private readonly string _store;
    private readonly Dictionary<string, PidState> _pids;
    private readonly StoreVerifier _verifier;
    private int _repairsByWriter, _repairsReported;

    public CrashCampaign(CampaignOptions options, Action<string> log)
    {
        _options = options;
        _log = log;
        _store = options.StoreDirectory ?? Path.Combine(Path.GetTempPath(), "ministore-crash-campaign", Guid.NewGuid().ToString("N"));
        _pids = Enumerable.Range(0, options.Actors).Select(CrashSchedule.PersistenceId).ToDictionary(pid => pid, pid => new PidState(pid));
        _verifier = new StoreVerifier(_pids.Values);
    }

    public async Task<CampaignResult> RunAsync()
    {
        int seed = _options.Seed ?? Environment.TickCount;
        var random = new Random(seed);
        var tearer = new BatchTearer(_store, _pids, random);
        _log($"store {_store}, seed {seed}, {_options.Cycles} cycles, {_options.Actors} actors");
        Directory.CreateDirectory(_store); // a kill can come before the writer created anything
        var total = Stopwatch.StartNew();
        int acks = 0, tears = 0, afterAcks = 0, afterDelay = 0, beforeRecovery = 0;
        try
        {
            for (int cycle = 1; cycle <= _options.Cycles; cycle++)
            {
                var watch = Stopwatch.StartNew();
                // Two kills in three after a number of ACK lines, the others after a delay that may end before any.
                var kill = random.Next(3) > 0 ? KillAt.Acks(random.Next(20, 401)) : KillAt.Delay(TimeSpan.FromMilliseconds(random.Next(0, 1000)));
                var brokenBefore = BrokenCopies();
                var run = await RunAndKillAsync(kill, cycle);
                int cycleAcks = ReadLines(run, cycle, BrokenCopies().Except(brokenBefore).ToList());
                acks += cycleAcks;
                if (kill.AfterAcks > 0) afterAcks++; else afterDelay++;
                if (run.Lines.Count(l => l.StartsWith("RECOVERED ", StringComparison.Ordinal)) < _pids.Count) beforeRecovery++;

                string tear = "no tear";
                if (cycle % 2 == 0)
                {
                    tear = await tearer.TearABatchAsync(cycle / 2 % _pids.Count) ?? "no tear: no event written yet";
                    if (!tear.StartsWith("no tear", StringComparison.Ordinal)) tears++;
                }

                // Check a copy, so that the torn tail is left for the restarted writer's engine to repair (and report).
                string copy = _store + ".verify";
                try
                {
                    CopyDirectory(_store, copy);
                    await _verifier.VerifyAsync(copy, $"cycle {cycle}");
                }
                finally
                {
                    TryDeleteDirectory(copy);
                }
                _log($"cycle {cycle}: killed {kill} ({cycleAcks} ACKs printed) in {watch.ElapsedMilliseconds} ms; {tear}; " +
                    string.Join(", ", _pids.Values.Select(p => $"{p.Pid} acked<={p.MaxAcked} replays {p.DeletedTo + 1}..{p.Highest}")));
            }

            // Last, the store itself: this opening repairs the tail torn in the last cycle.
            await _verifier.VerifyAsync(_store, "final");
            int repairs = BrokenCopies().Count;
            Require.That(repairs >= tears, $"{tears} batches were torn but only {repairs} .broken files show a repair");
            Require.That(_repairsByWriter < 3 || _repairsReported > 0, $"the writer repaired {_repairsByWriter} torn tails but logged none of the repairs");
            foreach (var pid in _pids.Values)
                Require.That(pid.MaxAcked > 0, $"{pid.Pid} never acknowledged an event");

            var result = new CampaignResult(_options.Cycles, seed, acks, afterAcks, afterDelay, beforeRecovery, tears, repairs,
                _repairsByWriter, _repairsReported, _pids.Values.Sum(p => p.Snapshots), _pids.Values.Sum(p => p.DeletesConfirmed),
                _pids.Values.Sum(p => p.SnapshotDeletesConfirmed), total.Elapsed);
            _log(result.ToString());
            if (!_options.KeepStore)
                TryDeleteDirectory(_store);
            return result;
        }
        catch (CampaignFailure e)
        {
            _log($"FAILED (seed {seed}, store kept in {_store}): {e.Message}");
            throw;
        }
    }

    private sealed record KillAt(int AfterAcks, TimeSpan AfterDelay)
    {
        public static KillAt Acks(int acks) => new(acks, TimeSpan.Zero);
        public static KillAt Delay(TimeSpan delay) => new(0, delay);
        public override string ToString() => AfterAcks > 0 ? $"after {AfterAcks} ACKs" : $"after {AfterDelay.TotalMilliseconds:F0} ms";
    }

    private sealed record WriterRun(List<string> Lines, string Stderr);

    /// <summary>Starts the writer, kills it with SIGKILL at <paramref name="kill"/> and returns every complete line it printed.</summary>
    private async Task<WriterRun> RunAndKillAsync(KillAt kill, int cycle)
    {
        var stderr = new StringBuilder();
        using var process = WriterProcess.Start(WriterProcess.DotnetHost, [WriterProcess.DllPath, _store, _pids.Count.ToString()], stderr);
        var lines = new List<string>();
        var enoughAcks = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Lines are read to the end of the pipe, also after the kill: lines still in it were printed before the kill,
        // so they were acknowledged too. A line is written with one write() and cannot be cut.
        var reader = Task.Run(async () =>
        {
            int seen = 0;
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines) lines.Add(line);
                if (line.StartsWith("ACK ", StringComparison.Ordinal) && ++seen == kill.AfterAcks)
                    enoughAcks.TrySetResult();
            }
        });
        try
        {
            var waitFor = kill.AfterAcks > 0 ? enoughAcks.Task : Task.Delay(kill.AfterDelay);
            var finished = await Task.WhenAny(waitFor, reader, Task.Delay(TimeSpan.FromSeconds(30)));
            if (finished == reader)
            {
                await process.WaitForExitAsync();
                throw new CampaignFailure($"cycle {cycle}: the writer exited with {process.ExitCode} before it was killed. stderr:\n{stderr}");
            }
            if (finished != waitFor)
                throw new CampaignFailure($"cycle {cycle}: no kill point ({kill}) within 30 s. stderr:\n{stderr}");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true); // SIGKILL on Unix
            await process.WaitForExitAsync();
        }
        await reader;
        lock (stderr) return new WriterRun(lines, stderr.ToString());
    }

    /// <summary>Records what the writer said; checks its RECOVERED lines against the last verification and its repair reports. Returns the number of ACK lines.</summary>
    private int ReadLines(WriterRun run, int cycle, List<string> newBrokenCopies)
    {
        int acks = 0;
        foreach (string line in run.Lines)
        {
            var parts = line.Split(' ');
            if (parts[0] == "ERROR")
                throw new CampaignFailure($"cycle {cycle}: the writer reported: {line}");
            if (parts.Length < 3 || !_pids.TryGetValue(parts[1], out var pid))
                continue; // not a protocol line
            long seq = long.Parse(parts[2]);
            switch (parts[0])
            {
                case "RECOVERED":
                    // The writer recovered from the store the previous cycle verified (after the same repair).
                    Require.That(seq == pid.Highest, $"cycle {cycle}: writer recovered {pid.Pid} at {seq}, the verification found {pid.Highest}");
                    Require.That(pid.Expected.ChecksumAt(seq).ToString("x16") == parts[3], $"cycle {cycle}: writer recovered {pid.Pid} at {seq} with state {parts[3]}, expected {pid.Expected.ChecksumAt(seq):x16}");
                    break;
                case "ACK":
                    acks++;
                    Require.That(seq > pid.Highest, $"cycle {cycle}: {pid.Pid} acknowledged {seq}, which the store already held ({pid.Highest}): a sequence number was written twice");
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
                case "SNAPSHOTS-DELETED":
                    pid.SnapshotDeletesConfirmed++;
                    pid.SnapshotsDeletedUpTo = Math.Max(pid.SnapshotsDeletedUpTo, seq);
                    break;
            }
        }
        CountRepairReports(run, newBrokenCopies);
        return acks;
    }

    /// <summary>
    /// Each .broken copy that appeared while the writer ran is a repair it made, which it must have logged, naming the
    /// log. Akka logs asynchronously (through an actor) and a SIGKILL can land before a queued warning is printed, so
    /// a single missing line is counted rather than failed; <see cref="RunAsync"/> fails when none at all is seen.
    /// </summary>
    private void CountRepairReports(WriterRun run, List<string> newBrokenCopies)
    {
        foreach (string broken in newBrokenCopies)
        {
            _repairsByWriter++;
            string log = BrokenCopySuffix().Replace(broken, "");
            if (run.Stderr.Contains($"Repaired torn tail of '{log}'", StringComparison.Ordinal))
                _repairsReported++;
        }
    }

    private List<string> BrokenCopies()
    {
        string journal = Path.Combine(_store, "journal");
        return Directory.Exists(journal) ? Directory.EnumerateFiles(journal, "*.broken").ToList() : [];
    }

    /// <summary>The ".&lt;time&gt;.broken" that TailRepairer appends to a log's path.</summary>
    [GeneratedRegex(@"\.\d{8}T\d{6}\.\d{7}Z\.broken$")]
    private static partial Regex BrokenCopySuffix();

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
}
