using System.Text.Json;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using MiniStore.Cli.Output;

namespace MiniStore.Cli.Store;

/// <summary>
/// One persistence id's files, scanned: its event log (every record parsed and checked with the journal's
/// <see cref="EventLogCheck"/>), its deletion marks and its snapshots; then the journal's lost-events rule
/// (<see cref="LostEventsException.ThrowIfLost"/>) on the same evidence the journal uses. An id is found by any of its
/// files: an event log, a deletion log or a snapshot directory whose event log is missing is scanned too.
/// </summary>
internal sealed class JournalLog
{
    private readonly List<Problem> _problems = new();
    private EventLogCheck? _check;
    private int _breaksSeen;

    private JournalLog(string path) => Path = path;

    /// <summary>The event log (which may not exist).</summary>
    public string Path { get; }
    public string FileName => System.IO.Path.GetFileName(Path);
    public string DeletionsPath => StoreLayout.DeletionLogOf(Path);
    /// <summary>Null when there is no event log.</summary>
    public LogScan? Events { get; private set; }
    public LogScan? Deletions { get; private set; }
    public IReadOnlyList<SnapshotCheck> Snapshots { get; private set; } = [];
    public string? PersistenceId { get; private set; }
    public long EventCount { get; private set; }
    public long HighestSequenceNr { get; private set; }
    public long DeletedTo { get; private set; }
    /// <summary>Set when the log holds fewer events than the store recorded as stored: nothing of this id may be cut.</summary>
    public LostEventsException? Lost { get; private set; }
    public long Bytes => SizeOf(Path) + SizeOf(DeletionsPath);
    public long SnapshotBytes => Snapshots.Sum(s => s.Bytes);
    /// <summary>When the event log (or, without one, the deletion log) was last written; null when neither exists.</summary>
    public DateTime? LastWriteUtc => new[] { Path, DeletionsPath }.Where(File.Exists).Select(File.GetLastWriteTimeUtc).Cast<DateTime?>().FirstOrDefault();
    /// <summary>The persistence id, or the file name when no file says it.</summary>
    public string Name => PersistenceId ?? $"({FileName})";

    /// <summary>Every finding for this id, damage first, each file's in line order.</summary>
    public IEnumerable<Problem> Problems =>
        new[] { Events, Deletions }.OfType<LogScan>().SelectMany(s => s.Problems).Concat(TornTailProblems()).Concat(_problems)
            .OrderBy(p => p.Kind == ProblemKind.Note).ThenBy(p => p.Path, StringComparer.Ordinal).ThenBy(p => p.LineNumber);

    /// <summary>Damage or lost events in any of the id's files (torn tails are not damage).</summary>
    public bool IsDamaged => new[] { Events, Deletions }.OfType<LogScan>().Any(s => s.IsDamaged) || _problems.Any(p => p.IsDamage);

    /// <summary>The logs whose torn tail <c>ministore repair</c> cuts: none when the id holds damage or lost events.</summary>
    public IEnumerable<LogScan> RepairableTornTails => IsDamaged ? [] : new[] { Events, Deletions }.OfType<LogScan>().Where(s => s.TornTail is not null);

    public static JournalLog Scan(StoreLayout layout, string eventLog, IndexEvidence index, ScanProgress? progress)
    {
        var log = new JournalLog(eventLog);
        if (MiniStoreLog.Exists(eventLog))
            log.Events = LogScanner.Scan(eventLog, log.OnEvent, progress);
        if (MiniStoreLog.Exists(log.DeletionsPath))
            log.Deletions = LogScanner.Scan(log.DeletionsPath, log.OnDeletionMark, progress);
        log.CheckSnapshots(layout);
        log.CheckLostEvents(index);
        return log;
    }

    private void OnEvent(LogRecord record, LogScan scan)
    {
        if (scan.Breaks != _breaksSeen)
        {
            // A damaged line breaks the run of records: order is checked again from the next intact one.
            _breaksSeen = scan.Breaks;
            _check = null;
        }
        if (_check is null)
        {
            if (PersistenceId is null)
                Adopt(EventRecord.Read(record, Path).PersistenceId, scan, record);
            _check = new EventLogCheck(Path, PersistenceId!);
        }
        long previous = _check.PreviousSequenceNr;
        var e = _check.Read(record);
        if (previous > 0 && e.SequenceNr > previous + 1)
            scan.Note(record.LineNumber, $"sequence numbers {previous + 1}..{e.SequenceNr - 1} are not stored (the journal leaves such a gap when it rejects an event)");
        EventCount++;
        HighestSequenceNr = Math.Max(HighestSequenceNr, e.SequenceNr);
    }

    private void OnDeletionMark(LogRecord record, LogScan scan)
    {
        if (PersistenceId is null)
            Adopt(PersistenceIdOf(record, scan.Path), scan, record);
        var mark = DeletionMark.Read(record, scan.Path, PersistenceId!);
        DeletedTo = Math.Max(DeletedTo, mark.DeletedTo);
        HighestSequenceNr = Math.Max(HighestSequenceNr, mark.HighestSequenceNr);
    }

    /// <summary>Takes the id of this log's first readable record; a log under a name that is not its id's is never read by the journal.</summary>
    private void Adopt(string persistenceId, LogScan scan, in LogRecord record)
    {
        string expected;
        try
        {
            expected = PersistenceIdFileName.For(persistenceId) + StoreLayout.EventLogExtension;
        }
        catch (ArgumentException e)
        {
            throw new CorruptLogException(scan.Path, record.LineNumber, record.Offset, $"the record's persistence id cannot be a MiniStore id: {e.Message}");
        }
        PersistenceId = persistenceId;
        if (expected != FileName)
        {
            string own = scan == Deletions ? StoreLayout.DeletionLogOf(expected) : expected;
            scan.Problems.Add(new Problem(ProblemKind.Damage, scan.Path, record.LineNumber,
                $"the records of persistence id '{persistenceId}' are in '{System.IO.Path.GetFileName(scan.Path)}', but its file is '{own}': the journal never reads them here"));
        }
    }

    private static string PersistenceIdOf(in LogRecord record, string path)
    {
        try
        {
            using var json = JsonDocument.Parse(record.Json);
            return json.RootElement.GetProperty(RecordFields.PersistenceId).GetString() ?? throw new InvalidOperationException($"\"{RecordFields.PersistenceId}\" is null");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CorruptLogException(path, record.LineNumber, record.Offset, $"record is not readable: {e.Message}");
        }
    }

    private void CheckSnapshots(StoreLayout layout)
    {
        if (layout.SnapshotsOfLog(Path) is not { } directory)
            return;
        if (new DirectoryInfo(directory).LinkTarget is not null || File.Exists(directory))
        {
            _problems.Add(new Problem(ProblemKind.Damage, directory, 0,
                $"the snapshot directory of {Name} is {(File.Exists(directory) && new FileInfo(directory).LinkTarget is null ? "a file" : "a symbolic link")}: " +
                "the snapshot store neither follows links nor uses anything but its own directories, so loading or saving a snapshot of this id fails, and with it the actor's recovery"));
            return;
        }
        Snapshots = StoreLayout.SnapshotFiles(directory).OrderBy(f => f.SequenceNr).ThenBy(f => f.Ticks).Select(f => SnapshotCheck.Check(f, PersistenceId)).ToList();
        PersistenceId ??= Snapshots.FirstOrDefault(s => s.PersistenceId is not null && FileNameOf(s.PersistenceId) == System.IO.Path.GetFileName(directory))?.PersistenceId;
        long newestIntact = Snapshots.Where(s => s.IsIntact).Select(s => s.File.SequenceNr).DefaultIfEmpty(0).Max();
        foreach (var snapshot in Snapshots.Where(s => !s.IsIntact))
            _problems.Add(new Problem(ProblemKind.Damage, snapshot.File.Path, 1, SnapshotAdvice(snapshot, newestIntact)));
    }

    /// <summary>
    /// What a damaged snapshot means and what to do. The snapshot store skips an unreadable snapshot and recovers from
    /// an older one (or the first event), replaying the events after it: that is the same state unless events between
    /// were deleted from the journal. So the file may go only when an intact snapshot covers every deleted event.
    /// <c>ministore repair</c> never removes a snapshot: that is a person's decision, told here.
    /// </summary>
    private string SnapshotAdvice(SnapshotCheck snapshot, long newestIntact)
    {
        string what = snapshot.IsUnreadable ? snapshot.Problem! :
            $"{snapshot.Problem}. A snapshot is written whole to a temporary file, fsync'd and renamed into place, so no crash leaves it like this: the storage failed or the file was changed";
        string from = newestIntact > 0 ? $"the intact snapshot at sequence number {newestIntact}" : "the first event";
        string advice = snapshot.File.SequenceNr < newestIntact
            ? $"Recovery does not need it: it uses the newer intact snapshot at sequence number {newestIntact}. Move the file out of the store (keep a copy) to clear this report"
            : newestIntact >= DeletedTo
                ? $"Recovery skips it and starts from {from}, replaying the events after it, which the journal still holds ({(DeletedTo == 0 ? "none was deleted" : $"deleted only up to {DeletedTo}")}): the state is the same. " +
                  "Move the file out of the store (keep a copy) to clear this report"
                : $"Events up to sequence number {DeletedTo} were deleted from the journal and no intact snapshot holds them: recovery of {Quoted} would skip this file, " +
                  $"{(newestIntact > 0 ? $"start from the older snapshot at sequence number {newestIntact}" : "start from an empty state")} and replay only the events after {DeletedTo}: a wrong state. " +
                  "Do not delete the file: restore it from a backup";
        return $"{what}. {advice}. `ministore repair` does not change snapshots";
    }

    private string Quoted => PersistenceId is null ? Name : $"'{PersistenceId}'";

    /// <summary>The journal's rule on the journal's evidence (see PersistenceIdLog.Load): the last record, the last deletion mark, the newest snapshot, the event index.</summary>
    private void CheckLostEvents(IndexEvidence index)
    {
        if (Events is { IsOpen: false })
            return; // the engine does not open this log: reported as damage, and the journal's recovery stops at it too
        long logged = 0;
        if (Events?.LastRecordAtOpen is { } last)
        {
            if (PersistenceId is null)
                return; // no record of the log was readable: reported as damage
            try
            {
                logged = new EventLogCheck(Path, PersistenceId).Read(last).SequenceNr;
            }
            catch (CorruptLogException)
            {
                return; // the scan reports this line; the journal's recovery stops at it
            }
        }
        bool suspect = Events is null || Events.Length == 0 || Events.TornTail is not null;
        if (suspect && Events is not null)
            PersistenceId ??= index.Of(FileName)?.PersistenceId;
        DeletionMark? mark = null;
        if (Deletions is not null && PersistenceId is not null)
        {
            try
            {
                mark = DeletionMark.ReadLast(DeletionsPath, PersistenceId, LogScanner.ReadOptions);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Reported by the scan of the deletion log; the journal's recovery stops at it.
            }
        }
        long snapshot = Snapshots.Select(s => s.File.SequenceNr).DefaultIfEmpty(0).Max();
        try
        {
            LostEventsException.ThrowIfLost(PersistenceId ?? Name, Path, logged, suspect, mark, snapshot,
                () => Events is null ? 0 : index.Of(FileName)?.HighestSequenceNr ?? 0);
        }
        catch (LostEventsException e)
        {
            Lost = e;
            _problems.Add(new Problem(ProblemKind.LostEvents, Path, 0, e.Message));
        }
    }

    /// <summary>A torn tail is cut by repair, unless the log lost events: then its bytes may be what is left of them.</summary>
    private IEnumerable<Problem> TornTailProblems()
    {
        foreach (var scan in new[] { Events, Deletions }.OfType<LogScan>())
        {
            if (scan.TornTail is not { } torn)
                continue;
            string where = $"{torn.Reason}; {torn.Length} bytes from byte offset {torn.Offset}";
            yield return scan == Events && Lost is not null
                ? new Problem(ProblemKind.Note, scan.Path, scan.EndLineNumber, $"{where} are not cut: events are missing from this log, and these bytes may be what is left of them")
                : IsDamaged
                    ? new Problem(ProblemKind.TornTail, scan.Path, scan.EndLineNumber, $"{where}: not cut while {Quoted} holds damage (`ministore repair` leaves its files alone)")
                    : new Problem(ProblemKind.TornTail, scan.Path, scan.EndLineNumber, $"{where}: cut by repair (`ministore repair` keeps them in a .broken copy beside the log)");
        }
    }

    /// <summary>The file name (without extension) MiniStore gives an id, or null for an id it cannot store.</summary>
    private static string? FileNameOf(string persistenceId)
    {
        try
        {
            return PersistenceIdFileName.For(persistenceId);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The length of a file; 0 when there is none or it cannot be looked at (its scan says why).</summary>
    public static long SizeOf(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? info.Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
