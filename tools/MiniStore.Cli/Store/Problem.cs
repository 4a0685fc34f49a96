namespace MiniStore.Cli.Store;

public enum ProblemKind
{
    /// <summary>Bytes after the last complete record, left by a crash mid-write; never acknowledged, removable by repair.</summary>
    TornTail,
    /// <summary>Anything else: a damaged line with intact data after it, an unreadable record, records out of order.</summary>
    Damage,
    /// <summary>Worth knowing, not damage: e.g. a gap in sequence numbers, which an event rejected by the journal leaves.</summary>
    Note,
}

/// <summary>One finding of a scan, with the file and line it is at.</summary>
public sealed record Problem(ProblemKind Kind, string Path, long LineNumber, string Message)
{
    public override string ToString() => $"{Path}:{LineNumber}: {Label}: {Message}";

    private string Label => Kind switch
    {
        ProblemKind.TornTail => "torn tail",
        ProblemKind.Damage => "DAMAGED",
        _ => "note",
    };
}
