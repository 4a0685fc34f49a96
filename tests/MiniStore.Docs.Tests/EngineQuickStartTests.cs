using MiniStore.Docs.Tests.Snippets;

namespace MiniStore.Docs.Tests;

/// <summary>Runs alone: the engine's example writes "counter.log" in the working directory, which the test moves.</summary>
[CollectionDefinition(nameof(WorkingDirectory), DisableParallelization = true)]
public sealed class WorkingDirectory;

[Collection(nameof(WorkingDirectory))]
public sealed class EngineQuickStartTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ministore-docs-engine-").FullName;
    private readonly string _previous = Environment.CurrentDirectory;

    [Fact]
    public void The_engine_example_writes_a_batch_and_reads_it_back()
    {
        var output = new StringWriter();
        var console = Console.Out;
        Environment.CurrentDirectory = _directory;
        Console.SetOut(output);
        try
        {
            EngineQuickStart.Run();
        }
        finally
        {
            Console.SetOut(console);
            Environment.CurrentDirectory = _previous;
        }

        Assert.Equal(
            ["CounterOp { Op = set, Value = 100 }", "CounterOp { Op = inc, Value = 20 }", "CounterOp { Op = inc, Value = 5 }"],
            output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var lines = File.ReadAllLines(Path.Combine(_directory, "counter.log"));
        Assert.Equal(3, lines.Length);
        Assert.Contains("\"more\":true", lines[1]); // the batch's first line; its last line ends it
        Assert.DoesNotContain("\"more\"", lines[2]);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
