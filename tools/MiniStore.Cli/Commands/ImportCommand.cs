using System.CommandLine;
using Akka.Persistence.Query;
using Akka.Streams;
using MiniStore.Cli.Migration;

namespace MiniStore.Cli.Commands;

/// <summary><c>ministore import DIR --from sql.conf --pid device-7</c>: persistence ids from another journal into a MiniStore store.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var readJournal = new Option<string?>("--read-journal")
        {
            Description = "The other side's read journal (its plugin id, e.g. akka.persistence.query.journal.sql): the events' tags come from it " +
                          "(a replay does not give them), and without --pid every persistence id it lists is imported.",
        };
        var migration = new MigrationCommand
        {
            Directory = CommonArguments.Store(),
            Hocon = new Option<FileInfo>("--from") { Description = "HOCON file configuring the source journal (and snapshot store).", Required = true },
        };
        var command = migration.Create("import",
            "Copy persistence ids (--pid, or all that --read-journal lists) with their events, their tags (with --read-journal) and latest snapshot from the journal a HOCON file configures into the store DIR. " +
            "Resumable like export.", readJournal);
        migration.SetAction(command, "imported", true, async (parseResult, plugins, layout, output, cancellationToken) =>
        {
            var timeout = migration.Timeout(parseResult);
            var sourceJournal = new JournalPlugin(plugins.OtherJournal, plugins.System, timeout);
            string? readJournalId = parseResult.GetValue(readJournal);
            var tags = readJournalId is null ? null
                : new ReadJournalTags(PersistenceQuery.Get(plugins.System).ReadJournalFor<ICurrentEventsByPersistenceIdQuery>(readJournalId), readJournalId, plugins.System.Materializer());
            var source = new JournalReplaySource(sourceJournal, parseResult.GetValue(migration.BatchSize), tags);
            var target = new JournalPlugin(plugins.MiniStoreJournal, plugins.System, timeout);
            var copy = migration.NewCopy(parseResult, source, target,
                plugins.OtherSnapshotStore is { } theirs ? new SnapshotPlugin(theirs, timeout) : null,
                plugins.MiniStoreSnapshotStore is { } mine ? new SnapshotPlugin(mine, timeout) : null, output);
            IReadOnlyList<string> ids = parseResult.GetValue(migration.PersistenceIds) ?? [];
            if (ids.Count == 0 && readJournalId is not null)
                ids = await AllPersistenceIdsAsync(plugins, readJournalId, cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
                throw new MigrationException("say which persistence ids to import: --pid ID (repeatable) or --read-journal PLUGIN-ID for all of them");
            return await copy.CopyAsync(ids, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<IReadOnlyList<string>> AllPersistenceIdsAsync(PluginSystem plugins, string readJournalId, CancellationToken cancellationToken)
    {
        var query = PersistenceQuery.Get(plugins.System).ReadJournalFor<ICurrentPersistenceIdsQuery>(readJournalId);
        var ids = new List<string>();
        await query.CurrentPersistenceIds().RunForeach(ids.Add, plugins.System.Materializer()).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ids.Order(StringComparer.Ordinal).ToList();
    }
}
