using System.CommandLine;
using System.CommandLine.Help;
using MiniStore.Cli.Commands;

namespace MiniStore.Cli;

/// <summary>The <c>ministore</c> command line: one sub-command per class in Commands/.</summary>
public static class MiniStoreCli
{
    /// <summary>
    /// The root command is named "ministore" whatever runs it (the tool's shim, <c>dotnet run</c>, a test), rather than
    /// after the entry assembly as a <see cref="RootCommand"/> would be.
    /// </summary>
    public static Command Build() =>
        new("ministore", "Inspect, verify, repair, export, import and ship the JSONL logs of a MiniStore store (Akka.Persistence.MiniStore).")
        {
            new HelpOption(),
            new VersionOption(),
            LsCommand.Create(),
            CatCommand.Create(),
            TailCommand.Create(),
            VerifyCommand.Create(),
            RepairCommand.Create(),
            StatsCommand.Create(),
            ExportCommand.Create(),
            ImportCommand.Create(),
            ShipCommand.Create(),
        };

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
}
