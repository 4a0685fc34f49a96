namespace MiniStore.CrashWriter;

/// <summary>One event of the crash writer. <see cref="N"/> is the actor's own counter and must equal the event's sequence number.</summary>
/// <param name="BatchId">Null for an event persisted alone; for a PersistAll batch, the same id on each of its events.</param>
/// <param name="BatchSize">1 for a single event, <see cref="CrashSchedule.BatchSize"/> for a batch.</param>
/// <param name="BatchIndex">Position of the event within its batch (0 for a single event).</param>
public sealed record CrashEvent(string Pid, long N, string? BatchId, int BatchSize, int BatchIndex);

/// <summary>The crash writer's snapshot: the state after event <see cref="LastN"/>.</summary>
public sealed record CrashSnapshot(long LastN, ulong Checksum);

/// <summary>
/// What each persistence id writes, as a pure function of the id and the next sequence number: the writer and the
/// test compute the same stream, so the test knows the exact event (and the checksum) every sequence number must hold.
/// Whether the command at sequence number n is a single Persist or a PersistAll of <see cref="BatchSize"/> depends
/// on n only, so a writer that restarts after a lost (unacknowledged) batch writes that same batch again.
/// </summary>
public static class CrashSchedule
{
    public const int BatchSize = 5;
    public const ulong InitialChecksum = 14695981039346656037UL; // FNV-1a offset basis
    private const ulong Prime = 1099511628211UL;

    public static string PersistenceId(int actor) => $"crash-{actor}";

    /// <summary>True when the command that starts at sequence number <paramref name="n"/> is a PersistAll batch (about a third of them).</summary>
    public static bool IsBatchStart(string pid, long n)
    {
        ulong h = InitialChecksum;
        foreach (char c in pid)
            h = (h ^ c) * Prime;
        h = (h ^ (ulong)n) * Prime;
        h ^= h >> 29;
        return h % 3 == 0;
    }

    /// <summary>The events of the command starting at sequence number <paramref name="n"/>.</summary>
    public static IReadOnlyList<CrashEvent> CommandAt(string pid, long n)
    {
        if (!IsBatchStart(pid, n))
            return [new CrashEvent(pid, n, null, 1, 0)];
        string batchId = $"{pid}/b{n}";
        return Enumerable.Range(0, BatchSize).Select(i => new CrashEvent(pid, n + i, batchId, BatchSize, i)).ToList();
    }

    /// <summary>The events of <paramref name="pid"/> from sequence number 1 on, forever.</summary>
    public static IEnumerable<CrashEvent> Events(string pid)
    {
        for (long n = 1; ; )
        {
            var command = CommandAt(pid, n);
            foreach (var e in command)
                yield return e;
            n += command.Count;
        }
    }

    public static ulong Fold(ulong checksum, CrashEvent e) =>
        (checksum ^ (ulong)(e.N * 8 + (e.BatchId is null ? 0 : 1 + e.BatchIndex))) * Prime;
}
