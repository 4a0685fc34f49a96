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

    /// <summary>Engine options for logs in this store.</summary>
    public MiniStoreOptions ToLogOptions() => new() { MaxLineLength = MaxRecordSize, FileMode = FileMode, DirectoryMode = DirectoryMode };

    /// <summary>Creates the store's directory, and any missing parent, with <see cref="DirectoryMode"/> if it does not exist.</summary>
    public void EnsureDirectory(string path)
    {
        if (System.IO.Directory.Exists(path))
            return;
        if (Path.GetDirectoryName(path) is { } parent)
            EnsureDirectory(parent);
        if (OperatingSystem.IsWindows())
            System.IO.Directory.CreateDirectory(path);
        else
            System.IO.Directory.CreateDirectory(path, DirectoryMode);
    }

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
