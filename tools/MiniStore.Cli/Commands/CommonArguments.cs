using System.CommandLine;

namespace MiniStore.Cli.Commands;

/// <summary>Arguments several commands take.</summary>
internal static class CommonArguments
{
    public static Argument<DirectoryInfo> Store() => new("DIR")
    {
        Description = "The store: a directory with journal/ and snapshots/ (as Akka.Hosting sets it up), or a journal directory itself.",
    };

    public static Argument<string> PersistenceId() => new("PID") { Description = "The persistence id." };
}
