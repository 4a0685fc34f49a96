using System.Runtime.InteropServices;
using System.Text;

namespace MiniStore;

/// <summary>
/// A file's full path, checked for still naming a file after every write of a log. <see cref="File.Exists(string)"/>
/// normalizes the path and marshals it on every call, which cost about as much as the rest of an append's own work;
/// on Unix this asks the kernel directly (access(2) with F_OK) with the path encoded once.
/// </summary>
internal sealed class FileName(string fullPath)
{
    private readonly byte[] _nulTerminatedUtf8 = Encoding.UTF8.GetBytes(fullPath + "\0");

    /// <summary>True while the path resolves to a file (false once the file was removed or a directory on its path moved away).</summary>
    public bool Exists() => OperatingSystem.IsWindows() ? File.Exists(fullPath) : access(_nulTerminatedUtf8, F_OK) == 0;

    private const int F_OK = 0;

    [DllImport("libc", SetLastError = true)] private static extern int access(byte[] path, int mode);
}
