using System.Text;

namespace MiniStore.Cli.Tests;

/// <summary>Ways the tests damage a store, as a crash, a bad disk or a person would.</summary>
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
        int target = LineStart(bytes, lineNumber) + 40; // past the 18-byte header, inside "rec"
        bytes[target] = bytes[target] == (byte)'x' ? (byte)'y' : (byte)'x';
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Edits line <paramref name="lineNumber"/> so that it stays whole, well-formed JSON with a checksum that no longer matches (bit rot, or an edit).</summary>
    public static void AlterLine(string path, int lineNumber, string from, string to)
    {
        var lines = File.ReadAllText(path).Split('\n');
        if (!lines[lineNumber - 1].Contains(from))
            throw new ArgumentException($"line {lineNumber} of {path} holds no '{from}'");
        lines[lineNumber - 1] = lines[lineNumber - 1].Replace(from, to);
        File.WriteAllText(path, string.Join('\n', lines));
    }

    /// <summary>Overwrites the whole file with zeros, keeping its length: what a bad SD card or a lost file system block leaves.</summary>
    public static void ZeroFill(string path) => File.WriteAllBytes(path, new byte[new FileInfo(path).Length]);

    /// <summary>Keeps the first <paramref name="lines"/> lines (and <paramref name="extraBytes"/> bytes of the next one): a file cut short, as a restored old copy or a truncation leaves it.</summary>
    public static void KeepLines(string path, int lines, int extraBytes = 0)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(LineStart(bytes, lines + 1) + extraBytes)]);
    }

    public static string[] Lines(string path) => File.ReadAllLines(path);

    private static int LineStart(byte[] bytes, int lineNumber)
    {
        int start = 0;
        for (int line = 1; line < lineNumber; line++)
            start = Array.IndexOf(bytes, (byte)'\n', start) + 1;
        return start;
    }
}
