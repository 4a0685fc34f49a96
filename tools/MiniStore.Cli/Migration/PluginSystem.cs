using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Storage;

namespace MiniStore.Cli.Migration;

/// <summary>
/// The actor system export and import run in: MiniStore's journal and snapshot store on the store DIR, and the other
/// side's plugins as the user's HOCON file configures them (<c>akka.persistence.journal.plugin</c> and
/// <c>akka.persistence.snapshot-store.plugin</c> name them unless given on the command line).
/// </summary>
internal sealed class PluginSystem : IAsyncDisposable
{
    private PluginSystem(ActorSystem system, string journalPluginId, string? snapshotPluginId)
    {
        System = system;
        OtherJournalPluginId = journalPluginId;
        OtherSnapshotPluginId = snapshotPluginId;
    }

    public ActorSystem System { get; }
    public string OtherJournalPluginId { get; }
    public string? OtherSnapshotPluginId { get; }

    public IActorRef MiniStoreJournal => Persistence.Instance.Apply(System).JournalFor(MiniStorePersistence.JournalConfigPath);
    public IActorRef? MiniStoreSnapshotStore => Persistence.Instance.Apply(System).SnapshotStoreFor(MiniStorePersistence.SnapshotStoreConfigPath);
    public IActorRef OtherJournal => Persistence.Instance.Apply(System).JournalFor(OtherJournalPluginId);
    public IActorRef? OtherSnapshotStore => OtherSnapshotPluginId is null ? null : Persistence.Instance.Apply(System).SnapshotStoreFor(OtherSnapshotPluginId);

    /// <summary>Starts the system; a clear <see cref="ConfigurationException"/> when the HOCON file names no plugin.</summary>
    public static PluginSystem Start(StoreLayout layout, FileInfo hoconFile, string? journalPluginId, string? snapshotPluginId)
    {
        if (!hoconFile.Exists)
            throw new ConfigurationException($"no HOCON file '{hoconFile.FullName}'");
        var user = Parse(hoconFile);
        journalPluginId ??= user.GetString("akka.persistence.journal.plugin", null);
        snapshotPluginId ??= user.GetString("akka.persistence.snapshot-store.plugin", null);
        if (string.IsNullOrEmpty(journalPluginId) || journalPluginId == MiniStorePersistence.JournalConfigPath)
            throw new ConfigurationException($"{hoconFile.Name}: set akka.persistence.journal.plugin to the other journal's plugin id (or pass --journal-plugin)");
        if (!user.HasPath(journalPluginId))
            throw new ConfigurationException($"{hoconFile.Name}: the journal plugin '{journalPluginId}' has no configuration section");
        if (string.IsNullOrEmpty(snapshotPluginId) || !user.HasPath(snapshotPluginId))
            snapshotPluginId = null;
        CheckPluginClass(hoconFile, user, journalPluginId, "journal");
        if (snapshotPluginId is not null)
            CheckPluginClass(hoconFile, user, snapshotPluginId, "snapshot store");

        string snapshots = layout.SnapshotDirectory ?? Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(layout.JournalDirectory))!, "snapshots");
        var ministore = ConfigurationFactory.ParseString($$"""
            {{MiniStorePersistence.JournalConfigPath}}.directory = "{{Hocon(layout.JournalDirectory)}}"
            {{MiniStorePersistence.SnapshotStoreConfigPath}}.directory = "{{Hocon(snapshots)}}"
            """);
        var quiet = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        var config = ministore.WithFallback(user).WithFallback(quiet).WithFallback(MiniStorePersistence.DefaultConfiguration());
        return new PluginSystem(ActorSystem.Create("ministore-migration", config), journalPluginId, snapshotPluginId);
    }

    /// <summary>
    /// The plugin's class must load here, before the system starts: Akka would fail later, naming only the assembly
    /// (a FileNotFoundException, which the command would take for a damaged store).
    /// </summary>
    private static void CheckPluginClass(FileInfo hoconFile, Config user, string pluginId, string what)
    {
        string? typeName = user.GetString(pluginId + ".class", null);
        if (string.IsNullOrEmpty(typeName))
            throw new ConfigurationException($"{hoconFile.Name}: the {what} plugin '{pluginId}' sets no class");
        try
        {
            Type.GetType(typeName, throwOnError: true);
        }
        catch (Exception e) when (e is IOException or TypeLoadException or ArgumentException or BadImageFormatException)
        {
            throw new ConfigurationException($"{hoconFile.Name}: the {what} plugin '{pluginId}' has class = \"{typeName}\", which cannot be loaded ({e.Message.Trim()}); " +
                                             "put its assembly beside the tool or pass it with --assembly");
        }
    }

    private static Config Parse(FileInfo hoconFile)
    {
        string text = File.ReadAllText(hoconFile.FullName);
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigurationException($"{hoconFile.Name} is not valid HOCON: {string.Join(" ", e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))}");
        }
    }

    private static string Hocon(string path) => path.Replace("\\", "/").Replace("\"", "\\\"");

    public async ValueTask DisposeAsync() => await System.Terminate().ConfigureAwait(false);
}
