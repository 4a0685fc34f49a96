using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MiniStore.PowerLoss;

/// <summary>Inode numbers on Linux, the identity of a file across renames.</summary>
internal static class Inode
{
    public static ulong Of(SafeFileHandle file)
    {
        foreach (string line in File.ReadLines($"/proc/self/fdinfo/{file.DangerousGetHandle()}"))
            if (line.StartsWith("ino:", StringComparison.Ordinal))
                return ulong.Parse(line[4..].Trim());
        throw new InvalidOperationException("/proc/self/fdinfo has no inode number");
    }

    public static ulong Of(string path)
    {
        var stat = new byte[256]; // struct stat; st_ino follows the 8-byte st_dev on x86-64 and arm64
        if (lstat(path, stat) != 0)
            throw new IOException($"lstat '{path}' failed (errno {Marshal.GetLastPInvokeError()})");
        return BitConverter.ToUInt64(stat, 8);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int lstat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
