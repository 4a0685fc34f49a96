using System.CommandLine;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Commands;

/// <summary>The part every command shares: find the store named by DIR, or say it is not there.</summary>
internal static class StoreCommand
{
    /// <summary>Runs <paramref name="body"/> on the store DIR names; NotFound with a message when it does not exist (unless <paramref name="createIfMissing"/>).</summary>
    public static void SetStoreAction(this Command command, Argument<DirectoryInfo> directory, Func<ParseResult, StoreLayout, TextWriter, CancellationToken, Task<int>> body, bool createIfMissing = false)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var dir = parseResult.GetValue(directory)!;
            // A new store (for import) is laid out as Akka.Hosting lays it out: DIR/journal and DIR/snapshots.
            if (createIfMissing && (!dir.Exists || !dir.EnumerateFileSystemInfos().Any()))
            {
                dir.CreateSubdirectory("journal");
                dir.Refresh();
            }
            if (StoreLayout.Find(dir) is not { } layout)
            {
                error.WriteLine($"ministore: no directory '{dir.FullName}'");
                return ExitCodes.NotFound;
            }
            try
            {
                return await body(parseResult, layout, output, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                error.WriteLine($"ministore: {e.Message}");
                return ExitCodes.Damaged;
            }
        });
    }
}
