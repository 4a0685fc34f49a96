using System.Text;

namespace MiniStore.Cli.Tests;

/// <summary>Ways the tests damage a log, as a crash or a bad disk would.</summary>
internal static class Damage
{
    /// <summary>A write cut short: half a line with no '\n'.</summary>
    public static byte[] AppendTornLine(string path)
    {
        var torn = Encoding.UTF8.GetBytes("{\"crc\":\"0badf00d\",\"rec\":{\"pid\":\"sensor-1\",\"seq\":7,\"ts\":\"2026-11-2");
        using var file = new FileStream(path, FileMode.Append);
        file.Write(torn);
        return torn;
    }

    /// <summary>Changes one byte inside the record of line <paramref name="lineNumber"/> (1-based), so its checksum no longer matches.</summary>
    public static void FlipByteInLine(string path, int lineNumber)
    {
        var bytes = File.ReadAllBytes(path);
        int start = 0;
        for (int line = 1; line < lineNumber; line++)
            start = Array.IndexOf(bytes, (byte)'\n', start) + 1;
        int target = start + 40; // past the 18-byte header, inside "rec"
        bytes[target] = bytes[target] == (byte)'x' ? (byte)'y' : (byte)'x';
        File.WriteAllBytes(path, bytes);
    }

    public static string[] Lines(string path) => File.ReadAllLines(path);
}
