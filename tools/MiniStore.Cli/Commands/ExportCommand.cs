using System.CommandLine;
using MiniStore.Cli.Migration;

namespace MiniStore.Cli.Commands;

/// <summary><c>ministore export DIR --to sql.conf</c>: every persistence id's events and latest snapshot into another Akka.Persistence journal.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var migration = new MigrationCommand
        {
            Directory = CommonArguments.Store(),
            Hocon = new Option<FileInfo>("--to") { Description = "HOCON file configuring the target journal (and snapshot store), e.g. Akka.Persistence.Sql on PostgreSQL.", Required = true },
        };
        var command = migration.Create("export",
            "Copy every persistence id's events (tags, manifests, timestamps, writer ids) and latest snapshot into the journal and snapshot store a HOCON file configures. " +
            "Resumable: run it again after an interruption and it continues where the target ends.");
        migration.SetAction(command, "exported", false, async (parseResult, plugins, layout, output, cancellationToken) =>
        {
            var timeout = migration.Timeout(parseResult);
            var source = MiniStoreFileSource.Open(layout, plugins.System, parseResult.InvocationConfiguration.Error);
            var target = new JournalPlugin(plugins.OtherJournal, plugins.System, timeout);
            var copy = migration.NewCopy(parseResult, source, target,
                plugins.MiniStoreSnapshotStore is { } mine ? new SnapshotPlugin(mine, timeout) : null,
                plugins.OtherSnapshotStore is { } theirs ? new SnapshotPlugin(theirs, timeout) : null, output);
            var only = parseResult.GetValue(migration.PersistenceIds);
            var ids = only is { Length: > 0 } ? only : source.PersistenceIds;
            foreach (var missing in ids.Except(source.PersistenceIds))
                throw new MigrationException($"no events for persistence id '{missing}' in {layout.JournalDirectory}");
            return await copy.CopyAsync(ids, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
