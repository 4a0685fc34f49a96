using System.Text.Json;

namespace MiniStore.Docs.Tests.Snippets;

/// <summary>The engine package's example: a log of counter operations, without Akka.</summary>
public static class EngineQuickStart
{
    public sealed record CounterOp(string Op, int Value);

    /// <summary>Runs in the working directory (the test sets a temporary one) and returns what it printed.</summary>
    public static void Run()
    {
        // begin-snippet: engine-quick-start
        using var log = MiniStoreLog.Open("counter.log");
        log.Append(JsonSerializer.SerializeToUtf8Bytes(new CounterOp("set", 100))); // returns once fsync'd
        log.Append(JsonSerializer.SerializeToUtf8Bytes(new CounterOp("inc", 20)),
                   JsonSerializer.SerializeToUtf8Bytes(new CounterOp("inc", 5)));    // one atomic batch

        foreach (var record in log.Read())
            Console.WriteLine(JsonSerializer.Deserialize<CounterOp>(record.Json.Span));
        // end-snippet
    }
}
