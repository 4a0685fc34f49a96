using System.Text;

namespace MiniStore.CrashWriter;

/// <summary>
/// The protocol lines on stdout, through one synchronized writer: each line goes out whole in one write to the raw
/// stdout stream (no buffering behind it), so a line the parent reads was printed before the process died, and lines
/// of different actors never interleave. Everything else (Akka's log) goes to stderr.
/// </summary>
public static class Output
{
    private static readonly object Gate = new();
    private static readonly Stream Stdout = Console.OpenStandardOutput();

    public static void Line(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (Gate)
        {
            Stdout.Write(bytes, 0, bytes.Length);
            Stdout.Flush();
        }
    }
}
