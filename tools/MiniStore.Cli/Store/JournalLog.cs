using MiniStore.Cli.Output;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Journal;
using Akka.Persistence.MiniStore.Serialization;

namespace MiniStore.Cli.Store;

/// <summary>
/// One persistence id's files, scanned: its event log (every record parsed as the journal parses it, sequence numbers
/// checked to increase), its deletion marks and its snapshots.
/// </summary>
internal sealed class JournalLog
{
    private long? _previousSequenceNr;
    private string? _lastCheckedId;

    private JournalLog(string path, IReadOnlyList<string> snapshots)
    {
        Path = path;
        Snapshots = snapshots;
    }

    public string Path { get; }
    public string DeletionsPath => StoreLayout.DeletionsLogFor(Path);
    public LogScan Events { get; private set; } = null!;
    public LogScan? Deletions { get; private set; }
    public IReadOnlyList<string> Snapshots { get; }
    public string? PersistenceId { get; private set; }
    public long EventCount { get; private set; }
    public long HighestSequenceNr { get; private set; }
    public long DeletedTo { get; private set; }
    public long Bytes => new FileInfo(Path).Length + (Deletions is null ? 0 : new FileInfo(DeletionsPath).Length);
    public long SnapshotBytes => Snapshots.Sum(s => new FileInfo(s).Length);
    public DateTime LastWriteUtc => File.GetLastWriteTimeUtc(Path);
    public IEnumerable<Problem> Problems => Events.Problems.Concat(Deletions?.Problems ?? []);
    public bool IsDamaged => Events.IsDamaged || Deletions?.IsDamaged == true;
    /// <summary>The persistence id, or the file name when no record could be read.</summary>
    public string Name => PersistenceId ?? $"({System.IO.Path.GetFileName(Path)})";

    public static async Task<JournalLog> ScanAsync(StoreLayout layout, string path, ScanProgress? progress, CancellationToken cancellationToken)
    {
        var log = new JournalLog(path, layout.SnapshotsFor(path));
        log.Events = await LogScanner.ScanAsync(path, log.OnEvent, progress, cancellationToken).ConfigureAwait(false);
        if (File.Exists(log.DeletionsPath))
            log.Deletions = await LogScanner.ScanAsync(log.DeletionsPath, log.OnDeletionMark, progress, cancellationToken).ConfigureAwait(false);
        return log;
    }

    private void OnEvent(LogRecord record, LogScan scan)
    {
        if (scan.ContinuityBroken)
        {
            _previousSequenceNr = null;
            scan.ContinuityBroken = false;
        }
        EventRecord e;
        try
        {
            e = EventRecord.Read(record, Path);
        }
        catch (CorruptLogException x)
        {
            scan.Problems.Add(new Problem(ProblemKind.Damage, Path, x.LineNumber, x.Problem));
            return;
        }
        PersistenceId ??= e.PersistenceId;
        // The file name is a hash of the id: checked once per run of records of one id, not for every record.
        if (e.PersistenceId != _lastCheckedId)
        {
            _lastCheckedId = e.PersistenceId;
            string expected = PersistenceIdFileName.For(e.PersistenceId) + StoreLayout.EventsExtension;
            if (expected != System.IO.Path.GetFileName(Path))
                scan.Problems.Add(new Problem(ProblemKind.Damage, Path, record.LineNumber, $"record of persistence id '{e.PersistenceId}' is in the log of another id (its own log is {expected})"));
        }
        if (_previousSequenceNr is { } previous)
        {
            if (e.SequenceNr <= previous)
                scan.Problems.Add(new Problem(ProblemKind.Damage, Path, record.LineNumber, $"sequence number {e.SequenceNr} does not follow {previous}: replay stops here"));
            else if (e.SequenceNr > previous + 1)
                scan.Problems.Add(new Problem(ProblemKind.Note, Path, record.LineNumber, $"sequence numbers {previous + 1}..{e.SequenceNr - 1} are not stored (the journal leaves such a gap when it rejects an event)"));
        }
        _previousSequenceNr = e.SequenceNr;
        EventCount++;
        HighestSequenceNr = Math.Max(HighestSequenceNr, e.SequenceNr);
    }

    private void OnDeletionMark(LogRecord record, LogScan scan)
    {
        try
        {
            if (LogScanner.Property(record, RecordFields.DeletedTo) is { } deletedTo)
                DeletedTo = Math.Max(DeletedTo, deletedTo.GetInt64());
            if (LogScanner.Property(record, RecordFields.HighestSequenceNr) is { } highest)
                HighestSequenceNr = Math.Max(HighestSequenceNr, highest.GetInt64());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            scan.Problems.Add(new Problem(ProblemKind.Damage, scan.Path, record.LineNumber, $"deletion mark is not readable: {e.Message}"));
        }
    }
}
