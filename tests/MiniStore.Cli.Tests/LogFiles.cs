namespace MiniStore.Cli.Tests;

/// <summary>Reads and writes logs through the engine, as a journal would (valid frames and checksums), for tests that plant records.</summary>
internal static class LogFiles
{
    /// <summary>The records of a log, in order, as JSON bytes.</summary>
    public static List<byte[]> Records(string path)
    {
        using var log = MiniStoreLog.Open(path, readOnly: true);
        return log.Read().Select(r => r.Json.ToArray()).ToList();
    }

    /// <summary>Appends each record as its own atomic batch.</summary>
    public static void Append(string path, params byte[][] records)
    {
        using var log = MiniStoreLog.Open(path);
        foreach (var record in records)
            log.Append(record);
    }
}
