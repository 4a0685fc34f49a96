using System.CommandLine;
using MiniStore.Cli.Commands;

namespace MiniStore.Cli;

/// <summary>The <c>ministore</c> command line: one sub-command per class in Commands/.</summary>
public static class MiniStoreCli
{
    public static RootCommand Build() =>
        new("Inspect, verify and repair the JSONL logs of a MiniStore store (Akka.Persistence.MiniStore).")
        {
            LsCommand.Create(),
            CatCommand.Create(),
            TailCommand.Create(),
            VerifyCommand.Create(),
            RepairCommand.Create(),
            StatsCommand.Create(),
        };

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
}
