using System.Diagnostics;
using Akka.Persistence;

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

    private async Task<IdResult> CopyIdAsync(string pid, CancellationToken cancellationToken)
    {
        long already = await target.HighestSequenceNrAsync(pid, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        long read = 0, written = 0, last = already, nextProgress = ProgressEvery;
        var batch = new List<IPersistentRepresentation>(BatchSize);
        await foreach (var e in source.EventsAfterAsync(pid, already, cancellationToken).ConfigureAwait(false))
        {
            if (e.SequenceNr <= last)
                throw new MigrationException($"'{pid}': the source gave event {e.SequenceNr} after {last}; sequence numbers must increase");
            batch.Add(e);
            read++;
            last = e.SequenceNr;
            if (batch.Count < BatchSize)
                continue;
            written += await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            if (written >= nextProgress)
            {
                _output.WriteLine($"  {pid}: {written} events written, up to {last} ({written / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):0} events/s)");
                nextProgress += ProgressEvery;
            }
        }
        if (batch.Count > 0)
            written += await WriteAsync(batch, cancellationToken).ConfigureAwait(false);

        long targetHighest = await target.HighestSequenceNrAsync(pid, cancellationToken).ConfigureAwait(false);
        if (read != written || targetHighest != last)
            throw new MigrationException($"'{pid}': count check failed: read {read} events, written {written}; the target's highest sequence number is {targetHighest}, the source's last is {last}");

        long? snapshot = await CopyLatestSnapshotAsync(pid, cancellationToken).ConfigureAwait(false);
        var result = new IdResult(pid, already, read, written, last, snapshot);
        _output.WriteLine(Describe(result));
        return result;
    }

    private async Task<long> WriteAsync(List<IPersistentRepresentation> batch, CancellationToken cancellationToken)
    {
        await target.WriteAsync(batch.ToArray(), cancellationToken).ConfigureAwait(false);
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
