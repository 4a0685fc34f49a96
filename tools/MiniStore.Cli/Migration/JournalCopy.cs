using System.Diagnostics;
using Akka.Persistence;
using MiniStore.Cli.Output;

namespace MiniStore.Cli.Migration;

/// <summary>
/// Copies persistence ids from an <see cref="IEventSource"/> into a journal plugin, and each id's latest snapshot between
/// two snapshot stores. Resumable: for each id it asks the target for its highest sequence number and copies only what
/// follows, so a run that was interrupted is finished by running it again. Checks per id that every event read was
/// written and that the target now ends where the source ends.
/// </summary>
internal sealed class JournalCopy(IEventSource source, JournalPlugin target, SnapshotPlugin? sourceSnapshots, SnapshotPlugin? targetSnapshots, TextWriter output)
{
    public int BatchSize { get; init; } = 1000;
    /// <summary>A progress line every this many events of one id.</summary>
    public long ProgressEvery { get; init; } = 100_000;
    /// <summary>How many ids are copied at once. One id is always copied in order, one batch at a time: that is what makes resuming from the target's highest sequence number safe.</summary>
    public int Parallelism { get; init; } = 1;
    private readonly TextWriter _output = TextWriter.Synchronized(output);

    public sealed record IdResult(string PersistenceId, long AlreadyThere, long Read, long Written, long LastSequenceNr, long? SnapshotSequenceNr);

    public sealed record Summary(IReadOnlyList<IdResult> Ids, TimeSpan Elapsed)
    {
        public long Events => Ids.Sum(i => i.Written);
        public double EventsPerSecond => Events / Math.Max(Elapsed.TotalSeconds, 1e-3);
    }

    public async Task<Summary> CopyAsync(IEnumerable<string> persistenceIds, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var results = new System.Collections.Concurrent.ConcurrentBag<IdResult>();
        await Parallel.ForEachAsync(persistenceIds, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (pid, ct) => results.Add(await CopyIdAsync(pid, ct).ConfigureAwait(false))).ConfigureAwait(false);
        return new Summary(results.OrderBy(r => r.PersistenceId, StringComparer.Ordinal).ToList(), clock.Elapsed);
    }

    /// <summary>
    /// Copies one id. A write that fails (a busy database timing out) is retried by resuming from the target's highest
    /// sequence number, as a new run would, up to <see cref="Retries"/> times.
    /// </summary>
    private async Task<IdResult> CopyIdAsync(string pid, CancellationToken cancellationToken)
    {
        long already = await target.HighestSequenceNrAsync(pid, cancellationToken).ConfigureAwait(false);
        long writtenBefore = 0;
        for (int attempt = 0; ; attempt++)
        {
            long from = attempt == 0 ? already : await target.HighestSequenceNrAsync(pid, cancellationToken).ConfigureAwait(false);
            var run = new CopyRun(pid, from);
            try
            {
                await CopyEventsAsync(run, writtenBefore, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MigrationException or TimeoutException && attempt < Retries && !cancellationToken.IsCancellationRequested)
            {
                _output.WriteLine(Printable.Escape($"  {pid}: {e.Message}; resuming from the target's highest sequence number (retry {attempt + 1} of {Retries})"));
                writtenBefore += run.Written;
                await Task.Delay(TimeSpan.FromSeconds(2 << attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            long targetHighest = await target.HighestSequenceNrAsync(pid, cancellationToken).ConfigureAwait(false);
            if (run.Read != run.Written || targetHighest != run.Last)
                throw new MigrationException($"'{pid}': count check failed: read {run.Read} events, written {run.Written}; the target's highest sequence number is {targetHighest}, the source's last is {run.Last}");

            long? snapshot = await CopyLatestSnapshotAsync(pid, cancellationToken).ConfigureAwait(false);
            var result = new IdResult(pid, already, writtenBefore + run.Read, writtenBefore + run.Written, run.Last, snapshot);
            _output.WriteLine(Printable.Escape(Describe(result) + (attempt > 0 ? $" (after {attempt} retries)" : "")));
            return result;
        }
    }

    /// <summary>Retries of one id after a failed write.</summary>
    public int Retries { get; init; } = 5;

    private sealed class CopyRun(string persistenceId, long after)
    {
        public string PersistenceId { get; } = persistenceId;
        public long After { get; } = after;
        public long Read { get; set; }
        public long Written { get; set; }
        public long Last { get; set; } = after;
    }

    private async Task CopyEventsAsync(CopyRun run, long writtenBefore, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long nextProgress = ProgressEvery - writtenBefore % ProgressEvery;
        var batch = new List<IPersistentRepresentation>(BatchSize);
        await foreach (var e in source.EventsAfterAsync(run.PersistenceId, run.After, cancellationToken).ConfigureAwait(false))
        {
            if (e.SequenceNr <= run.Last)
                throw new InvalidDataException($"'{run.PersistenceId}': the source gave event {e.SequenceNr} after {run.Last}; sequence numbers must increase");
            batch.Add(e);
            run.Read++;
            run.Last = e.SequenceNr;
            if (batch.Count < BatchSize)
                continue;
            run.Written += await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            if (run.Written >= nextProgress)
            {
                _output.WriteLine(Printable.Escape($"  {run.PersistenceId}: {writtenBefore + run.Written} events written, up to {run.Last} ({run.Written / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):0} events/s)"));
                nextProgress += ProgressEvery;
            }
        }
        if (batch.Count > 0)
            run.Written += await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> WriteAsync(List<IPersistentRepresentation> batch, CancellationToken cancellationToken)
    {
        await target.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        long count = batch.Count;
        batch.Clear();
        return count;
    }

    /// <summary>The source's latest snapshot, saved to the target unless the target already has one as recent.</summary>
    private async Task<long?> CopyLatestSnapshotAsync(string pid, CancellationToken cancellationToken)
    {
        if (sourceSnapshots is null || targetSnapshots is null)
            return null;
        if (await sourceSnapshots.LatestAsync(pid, cancellationToken).ConfigureAwait(false) is not { } latest)
            return null;
        var existing = await targetSnapshots.LatestAsync(pid, cancellationToken).ConfigureAwait(false);
        if (existing is null || existing.Metadata.SequenceNr < latest.Metadata.SequenceNr)
            await targetSnapshots.SaveAsync(latest, cancellationToken).ConfigureAwait(false);
        return latest.Metadata.SequenceNr;
    }

    /// <summary><c>sensor-1: 4 events read, 4 written (after 0 up to 6), snapshot at 2; check ok</c></summary>
    private static string Describe(IdResult r)
    {
        string range = r.Written == 0 ? $"up to date at {r.LastSequenceNr}" : $"after {r.AlreadyThere} up to {r.LastSequenceNr}";
        string resumed = r.AlreadyThere > 0 && r.Written > 0 ? ", resumed" : "";
        string snapshot = r.SnapshotSequenceNr is { } s ? $", snapshot at {s}" : "";
        return $"{r.PersistenceId}: {r.Read} events read, {r.Written} written ({range}{resumed}){snapshot}; check ok";
    }
}
