using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace MiniStore.Docs.Tests;

/// <summary>An Akka logger that keeps every message, so a test can read what the plugin logged (each test filters by its own directory).</summary>
public sealed class CapturingLogger : ReceiveActor, Akka.Dispatch.IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public static readonly ConcurrentQueue<string> Messages = new();

    public CapturingLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Messages.Enqueue(e.ToString()));
    }
}
