namespace MiniStore.Cli;

/// <summary>What <c>ministore</c> returns, so scripts on a device can act on it.</summary>
public static class ExitCodes
{
    /// <summary>Done; for verify: every line is intact.</summary>
    public const int Ok = 0;
    /// <summary>The command line was wrong (System.CommandLine's own code for parse errors), or an unexpected error.</summary>
    public const int UsageError = 1;
    /// <summary>The directory or persistence id does not exist.</summary>
    public const int NotFound = 2;
    /// <summary>Only torn tails were found: <c>ministore repair</c> can remove them (verify, repair --dry-run).</summary>
    public const int TornTail = 3;
    /// <summary>Damage that is not a torn tail: a bad line with intact lines after it, or records out of order. Nothing is repaired automatically.</summary>
    public const int Damaged = 4;
    /// <summary>A running journal owns the store (it holds the store's lock file): repair would race its writes.</summary>
    public const int StoreInUse = 5;
}
