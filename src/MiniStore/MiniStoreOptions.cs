namespace MiniStore;

/// <summary>Options for opening and reading a log. The defaults are what most users want.</summary>
public sealed record MiniStoreOptions
{
    public static readonly MiniStoreOptions Default = new();

    /// <summary>Largest line accepted on append and on read (default 16 MiB); a longer line is reported, never loaded whole.</summary>
    public int MaxLineLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Permissions of files this library creates on Unix (default: owner read/write only).</summary>
    public UnixFileMode FileMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The sync calls; replace only to observe or fault them in tests.</summary>
    public IFileSync FileSync { get; init; } = OsFileSync.Instance;

    /// <summary>
    /// Whether an append parses each record to check it is exactly one JSON value (default true). Length and raw line
    /// breaks are always checked. Turn it off only when every record comes from a validating
    /// <see cref="System.Text.Json.Utf8JsonWriter"/>, which cannot write anything else (the Akka plugin does so).
    /// </summary>
    public bool ParseRecords { get; init; } = true;
}
