using MiniStore.Cli.Output;

namespace MiniStore.Cli.Store;

public enum ProblemKind
{
    /// <summary>Bytes after the last complete batch of a log, as a crash leaves them; <c>ministore repair</c> cuts them (keeping a .broken copy).</summary>
    TornTail,
    /// <summary>Anything else wrong with a file: a damaged line, an unreadable record, records out of order, a damaged snapshot, a file that cannot be read. Never repaired automatically.</summary>
    Damage,
    /// <summary>The store recorded events as stored that the log no longer holds (<see cref="Akka.Persistence.MiniStore.Storage.LostEventsException"/>). Never repaired automatically.</summary>
    LostEvents,
    /// <summary>Worth knowing, not damage: e.g. a gap in sequence numbers, which an event rejected by the journal leaves.</summary>
    Note,
}

/// <summary>One finding of a scan, with the file and line it is at (line 0: the file as a whole).</summary>
public sealed record Problem(ProblemKind Kind, string Path, long LineNumber, string Message)
{
    public bool IsDamage => Kind is ProblemKind.Damage or ProblemKind.LostEvents;

    /// <summary><c>path:line: LABEL: message</c>, escaped for a terminal.</summary>
    public override string ToString() => Printable.Escape($"{Path}{(LineNumber > 0 ? $":{LineNumber}" : "")}: {Label}: {Message}");

    private string Label => Kind switch
    {
        ProblemKind.TornTail => "torn tail",
        ProblemKind.Damage => "DAMAGED",
        ProblemKind.LostEvents => "LOST EVENTS",
        _ => "note",
    };
}
