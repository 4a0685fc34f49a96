using System.CommandLine;
using Akka.Persistence.MiniStore.Serialization;
using Akka.Persistence.MiniStore.Shipping;
using Akka.Persistence.MiniStore.Storage;
using MiniStore.Cli.Migration;

namespace MiniStore.Cli.Commands;

/// <summary>
/// <c>ministore ship DIR --to target.conf [--follow]</c>: the shipper beside the application (docs/SHIPPING.md). It
/// reads the store read-only while the application owns it and writes every acknowledged event, in order and once per
/// persistence id, into the journal (and each new snapshot into the snapshot store) a HOCON file configures; its
/// durable position is in DIR/shipping/ unless --position says otherwise. Without --follow it ships what is stored and
/// stops; with it, it follows new events until interrupted (Ctrl-C, SIGTERM).
/// </summary>
internal static class ShipCommand
{
    public static Command Create()
    {
        var directory = CommonArguments.Store();
        var hocon = new Option<FileInfo>("--to") { Description = "HOCON file configuring the target journal (and snapshot store), e.g. Akka.Persistence.Sql on PostgreSQL.", Required = true };
        var follow = new Option<bool>("--follow") { Description = "Keep shipping new events as they are stored, until interrupted." };
        var journalPlugin = new Option<string?>("--journal-plugin") { Description = "The target journal's plugin id (default: akka.persistence.journal.plugin in the HOCON file)." };
        var snapshotPlugin = new Option<string?>("--snapshot-plugin") { Description = "The target snapshot store's plugin id (default: akka.persistence.snapshot-store.plugin in the HOCON file; none: snapshots are not shipped)." };
        var position = new Option<FileInfo?>("--position") { Description = "The shipper's durable position (default: DIR/shipping/<name>.jsonl, which also holds compaction back for events not shipped yet)." };
        var name = new Option<string?>("--name") { Description = "The shipper's name, when several ship one store to different targets." };
        var assemblies = new Option<FileInfo[]>("--assembly") { Description = "An assembly of the application (its event and snapshot types), loaded first (repeatable)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Most events per atomic write to the target.", DefaultValueFactory = _ => 5000 }.Within(1, 1_000_000);
        var pollInterval = new Option<int>("--poll-interval") { Description = "Milliseconds between looks for new events when following.", DefaultValueFactory = _ => 500 }.Within(10, 3_600_000);
        var maxRate = new Option<int?>("--max-rate") { Description = "Most events shipped per second (leaves the device's CPU to its writers during a burst)." };
        var skipDeleted = new Option<bool>("--skip-deleted") { Description = "Do not ship events deleted on the device before they were shipped." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for one answer of the target.", DefaultValueFactory = _ => 60 }.Within(1, 86_400);
        var command = new Command("ship", "Ship every acknowledged event (and each new snapshot) to another Akka.Persistence journal, exactly once and in order per persistence id, " +
                                          "resuming where the target ends; with --follow, keep shipping while the application runs.")
        {
            directory, hocon, follow, journalPlugin, snapshotPlugin, position, name, assemblies, batchSize, pollInterval, maxRate, skipDeleted, timeout,
        };
        command.SetStoreAction(directory, async (parseResult, layout, output, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var options = new ShippingOptions
            {
                TargetJournalPluginId = parseResult.GetValue(journalPlugin) ?? "",
                TargetSnapshotPluginId = parseResult.GetValue(snapshotPlugin),
                PositionPath = parseResult.GetValue(position)?.FullName,
                Name = parseResult.GetValue(name),
                BatchSize = parseResult.GetValue(batchSize),
                PollInterval = TimeSpan.FromMilliseconds(parseResult.GetValue(pollInterval)),
                MaxEventsPerSecond = parseResult.GetValue(maxRate),
                ShipDeletedEvents = !parseResult.GetValue(skipDeleted),
                AnswerTimeout = TimeSpan.FromSeconds(parseResult.GetValue(timeout)),
            };
            try
            {
                ApplicationAssemblies.Load(parseResult.GetValue(assemblies) ?? []);
                await using var shipper = StandaloneShipper.Start(parseResult.GetValue(directory)!.FullName, parseResult.GetValue(hocon)!.FullName, options);
                var summary = await shipper.RunAsync(parseResult.GetValue(follow), cancellationToken).ConfigureAwait(false);
                output.WriteLine($"shipped {summary.Events} events ({summary.Bytes} bytes) of {summary.PersistenceIds} persistence ids and {summary.Snapshots} snapshots " +
                                 $"in {summary.Elapsed.TotalSeconds:0.0}s ({summary.EventsPerSecond:0} events/s); the target holds everything up to ordering {summary.Ordering}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is ShippingException or TargetUnavailableException or MigrationException)
            {
                return StoreCommand.Fail(error, command, ExitCodes.UsageError, e.Message);
            }
            catch (PayloadNotReadableException e)
            {
                return StoreCommand.Fail(error, command, ExitCodes.UsageError, $"{e.Message} (pass the application's assembly with --assembly PATH)");
            }
            catch (Exception e) when (e is CorruptLogException or LostEventsException)
            {
                return StoreCommand.Fail(error, command, ExitCodes.Damaged, $"{e.Message} (see ministore verify)");
            }
        });
        return command;
    }
}
