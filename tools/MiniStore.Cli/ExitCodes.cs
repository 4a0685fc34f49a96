namespace MiniStore.Cli;

/// <summary>What <c>ministore</c> returns, so scripts on a device can act on it. Every error is also one line on stderr naming the file, line or persistence id.</summary>
public static class ExitCodes
{
    /// <summary>Done; for verify: every file is intact.</summary>
    public const int Ok = 0;
    /// <summary>The command line was wrong (System.CommandLine's own code for parse errors), a migration could not go on, or an unexpected error.</summary>
    public const int UsageError = 1;
    /// <summary>The directory or persistence id does not exist (or cannot exist, such as an empty id).</summary>
    public const int NotFound = 2;
    /// <summary>Only torn tails were found: <c>ministore repair</c> can cut them (verify, repair --dry-run).</summary>
    public const int TornTail = 3;
    /// <summary>
    /// Damage that is not a torn tail (a bad line with intact lines after it, records out of order, a damaged snapshot,
    /// a file that cannot be read), or acknowledged events missing from a log. Nothing of it is repaired automatically.
    /// </summary>
    public const int Damaged = 4;
    /// <summary>A running journal owns the store (it holds the store's lock file): repair would race its writes.</summary>
    public const int StoreInUse = 5;
    /// <summary>The store cannot be read or written as the command needs (no permission, a read-only file system): nothing was changed.</summary>
    public const int NoAccess = 6;
}
