using System.CommandLine;
using Akka.Configuration;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Storage;
using MiniStore.Cli.Migration;

namespace MiniStore.Cli.Commands;

/// <summary>What export and import share: the HOCON file of the other journal, plugin ids, batch size, the run and its summary.</summary>
internal sealed class MigrationCommand
{
    public required Argument<DirectoryInfo> Directory { get; init; }
    public required Option<FileInfo> Hocon { get; init; }
    public Option<string?> JournalPlugin { get; } = new("--journal-plugin") { Description = "The other journal's plugin id (default: akka.persistence.journal.plugin in the HOCON file)." };
    public Option<string?> SnapshotPlugin { get; } = new("--snapshot-plugin") { Description = "The other snapshot store's plugin id (default: akka.persistence.snapshot-store.plugin in the HOCON file; none: snapshots are not copied)." };
    public Option<string[]> PersistenceIds { get; } = new("--pid") { Description = "Copy only this persistence id (repeatable).", AllowMultipleArgumentsPerToken = false };
    public Option<int> BatchSize { get; } = new Option<int>("--batch-size") { Description = "Events per atomic write to the target.", DefaultValueFactory = _ => 1000 }.Within(1, 1_000_000);
    public Option<long> ProgressEvery { get; } = new Option<long>("--progress-every") { Description = "Print a progress line every this many events of one id.", DefaultValueFactory = _ => 100_000 }.Within(1, long.MaxValue);
    public Option<FileInfo[]> Assemblies { get; } = new("--assembly") { Description = "An assembly of the application (its event and snapshot types), loaded before the copy (repeatable)." };
    public Option<int> Parallel { get; } = new Option<int>("--parallel") { Description = "Persistence ids copied at once (each id stays in order).", DefaultValueFactory = _ => 1 }.Within(1, 64);
    public Option<int> TimeoutSeconds { get; } = new Option<int>("--timeout") { Description = "Seconds to wait for one answer of a plugin.", DefaultValueFactory = _ => 60 }.Within(1, 86_400);

    public Command Create(string name, string description, params Symbol[] extra)
    {
        var command = new Command(name, description) { Directory, Hocon, JournalPlugin, SnapshotPlugin, PersistenceIds, Assemblies, BatchSize, ProgressEvery, Parallel, TimeoutSeconds };
        foreach (var symbol in extra)
        {
            if (symbol is Option option) command.Options.Add(option);
            else if (symbol is Argument argument) command.Arguments.Add(argument);
        }
        return command;
    }

    /// <summary>
    /// Starts the plugins and runs <paramref name="copy"/> (given the system and the two sides' timeouts); prints the
    /// summary; a plugin or configuration problem is one clear error line and exit code 1.
    /// </summary>
    public void SetAction(Command command, string verb, bool intoStore, Func<ParseResult, PluginSystem, StoreLayout, TextWriter, CancellationToken, Task<JournalCopy.Summary>> copy)
    {
        command.SetStoreAction(Directory, async (parseResult, layout, output, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                ApplicationAssemblies.Load(parseResult.GetValue(Assemblies) ?? []);
                await using var plugins = PluginSystem.Start(layout, parseResult.GetValue(Hocon)!, parseResult.GetValue(JournalPlugin), parseResult.GetValue(SnapshotPlugin));
                var summary = await copy(parseResult, plugins, layout, output, cancellationToken).ConfigureAwait(false);
                output.WriteLine($"{verb} {summary.Ids.Count} persistence ids, {summary.Events} events in {summary.Elapsed.TotalSeconds:0.0}s ({summary.EventsPerSecond:0} events/s), " +
                                 $"{summary.Ids.Count(i => i.SnapshotSequenceNr is not null)} snapshots; every id checked: events read = events written");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is MigrationException or ConfigurationException or TimeoutException or InvalidDataException)
            {
                return StoreCommand.Fail(error, command, ExitCodes.UsageError, e.Message);
            }
            catch (PayloadNotReadableException e)
            {
                return StoreCommand.Fail(error, command, ExitCodes.UsageError, $"{e.Message} (pass the application's assembly with --assembly PATH)");
            }
        }, createIfMissing: intoStore);
    }

    public JournalCopy NewCopy(ParseResult parseResult, IEventSource source, JournalPlugin target, SnapshotPlugin? from, SnapshotPlugin? to, TextWriter output) =>
        new(source, target, from, to, output) { BatchSize = parseResult.GetValue(BatchSize), ProgressEvery = parseResult.GetValue(ProgressEvery), Parallelism = Math.Max(1, parseResult.GetValue(Parallel)) };

    public TimeSpan Timeout(ParseResult parseResult) => TimeSpan.FromSeconds(parseResult.GetValue(TimeoutSeconds));
}
