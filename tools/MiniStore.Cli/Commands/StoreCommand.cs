using System.CommandLine;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Storage;
using MiniStore.Cli.Output;

namespace MiniStore.Cli.Commands;

/// <summary>
/// The part every command shares: find the store named by DIR, or say it is not there; and turn every error into one
/// escaped line on stderr (<c>ministore CMD: ...</c>, naming the file, line or id) and an exit code (<see cref="ExitCodes"/>):
/// no input, however hostile, ends in a stack trace.
/// </summary>
internal static class StoreCommand
{
    /// <summary>Runs <paramref name="body"/> on the store DIR names; NotFound with a message when it does not exist (unless <paramref name="createIfMissing"/>).</summary>
    public static void SetStoreAction(this Command command, Argument<DirectoryInfo> directory, Func<ParseResult, StoreLayout, TextWriter, CancellationToken, Task<int>> body, bool createIfMissing = false)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var dir = parseResult.GetValue(directory)!;
                // A new store (for import) is laid out as Akka.Hosting lays it out: DIR/journal and DIR/snapshots.
                if (createIfMissing && (!dir.Exists || !dir.EnumerateFileSystemInfos().Any()))
                {
                    try
                    {
                        dir.CreateSubdirectory("journal");
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        return Fail(error, command, ExitCodes.NoAccess, $"cannot create the store directory '{Path.Combine(dir.FullName, "journal")}': {e.Message}");
                    }
                    dir.Refresh();
                }
                if (File.Exists(dir.FullName))
                    return Fail(error, command, ExitCodes.NotFound, $"'{dir.FullName}' is a file, not a store directory (a directory with journal/ and snapshots/, or a journal directory)");
                if (StoreLayout.Find(dir.FullName) is not { } layout)
                    return Fail(error, command, ExitCodes.NotFound, $"no directory '{dir.FullName}'");
                return await body(parseResult, layout, parseResult.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Fail(error, command, ExitCodes.UsageError, "interrupted");
            }
            catch (Exception e)
            {
                return Fail(error, command, ExitCodeOf(e), MessageOf(e));
            }
        });
    }

    /// <summary>Writes <c>ministore CMD: message</c> (escaped) to stderr and returns <paramref name="exitCode"/>.</summary>
    public static int Fail(TextWriter error, Command command, int exitCode, string message)
    {
        error.WriteLine(Printable.Escape($"ministore {command.Name}: {message}"));
        return exitCode;
    }

    /// <summary>The event log of the persistence id given on the command line, or an error (exit code NotFound) for an id MiniStore cannot store, such as an empty one.</summary>
    public static string? EventLogOf(StoreLayout layout, string persistenceId, TextWriter error, Command command)
    {
        try
        {
            return layout.EventLog(persistenceId);
        }
        catch (ArgumentException e)
        {
            Fail(error, command, ExitCodes.NotFound, persistenceId.Length == 0
                ? "the persistence id is empty: no events are stored under an empty id (give the id as the actor's PersistenceId returns it)"
                : $"no events can be stored under the persistence id '{persistenceId}': {e.Message}");
            return null;
        }
    }

    public static int ExitCodeOf(Exception e) => e switch
    {
        CorruptLogException or LostEventsException => ExitCodes.Damaged,
        StoreLockedException => ExitCodes.StoreInUse,
        UnauthorizedAccessException or IOException { HResult: EACCES or EPERM or EROFS } => ExitCodes.NoAccess,
        FileNotFoundException or DirectoryNotFoundException => ExitCodes.NotFound,
        _ => ExitCodes.UsageError,
    };

    /// <summary>The message of an error the tool expects (a file problem), or the kind and message of one it does not.</summary>
    public static string MessageOf(Exception e) =>
        e is IOException or UnauthorizedAccessException ? e.Message : $"unexpected error ({e.GetType().Name}): {e.Message}";

    private const int EPERM = 1, EACCES = 13, EROFS = 30;
}
