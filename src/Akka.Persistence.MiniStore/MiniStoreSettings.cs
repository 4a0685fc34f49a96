using Akka.Actor;
using Akka.Configuration;
using MiniStore;

namespace Akka.Persistence.MiniStore;

/// <summary>Settings shared by the journal and the snapshot store, read from their HOCON section (see reference.conf).</summary>
public sealed record MiniStoreSettings(string Directory, int MaxRecordSize, UnixFileMode FileMode, UnixFileMode DirectoryMode)
{
    public static MiniStoreSettings Create(Config config, string section)
    {
        string directory = config.GetString("directory", null)
            ?? throw new ConfigurationException($"{section}.directory is not set");
        return new MiniStoreSettings(
            Path.GetFullPath(directory),
            (int)(config.GetByteSize("max-record-size", null) ?? 16 * 1024 * 1024),
            ParseMode(config.GetString("file-mode", "600"), $"{section}.file-mode"),
            ParseMode(config.GetString("directory-mode", "700"), $"{section}.directory-mode"));
    }

    /// <summary>
    /// Engine options for logs in this store; the sync calls are those of a <see cref="MiniStoreFileSyncSetup"/> given
    /// to the system, if any. Every record the plugin writes comes from a validating JSON writer, so the engine does not
    /// parse it again (<see cref="MiniStoreOptions.ParseRecords"/>).
    /// </summary>
    public MiniStoreOptions ToLogOptions(ActorSystem system)
    {
        var setup = system.Settings.Setup.Get<MiniStoreFileSyncSetup>();
        return new MiniStoreOptions
        {
            MaxLineLength = MaxRecordSize,
            FileMode = FileMode,
            FileSync = setup.HasValue ? setup.Value.FileSync : OsFileSync.Instance,
            ParseRecords = false,
        };
    }

    /// <summary><see cref="ToLogOptions(ActorSystem)"/> with every sync timed for the plugin's metrics.</summary>
    internal MiniStoreOptions ToLogOptions(ActorSystem system, PluginMetrics metrics)
    {
        var options = ToLogOptions(system);
        return options with { FileSync = metrics.Measured(options.FileSync) };
    }

    /// <summary>Creates a directory of the store (with <see cref="DirectoryMode"/>) if it does not exist, durably: its parent is fsync'd.</summary>
    public void EnsureDirectory(string path, IFileSync fileSync) => DurableDirectory.Create(path, fileSync, DirectoryMode);

    private static UnixFileMode ParseMode(string octal, string key)
    {
        try
        {
            return (UnixFileMode)Convert.ToInt32(octal, 8);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new ConfigurationException($"{key} = \"{octal}\" is not an octal file mode such as \"600\"", e);
        }
    }
}
