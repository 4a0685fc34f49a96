using System.Text;
using Akka.Hosting;

namespace Akka.Persistence.MiniStore.Hosting;

/// <summary>The keys the journal and the snapshot store share (reference.conf), written as HOCON.</summary>
internal static class MiniStoreHocon
{
    public static void AppendStoreSettings(StringBuilder sb, string? directory, long? maxRecordSize, UnixFileMode? fileMode, UnixFileMode? directoryMode)
    {
        if (directory is not null)
            sb.AppendLine($"directory = {Path.GetFullPath(directory).ToHocon()}");
        if (maxRecordSize is { } size)
            sb.AppendLine($"max-record-size = {size}");
        if (fileMode is { } file)
            sb.AppendLine($"file-mode = {Octal(file).ToHocon()}");
        if (directoryMode is { } dir)
            sb.AppendLine($"directory-mode = {Octal(dir).ToHocon()}");
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8);
}
