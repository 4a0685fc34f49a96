using System.Runtime.InteropServices;
using System.Text;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// Counts the opens of the files in one directory, as the kernel sees them (inotify IN_OPEN), whoever opens them:
/// a test can then tell how many times a recovery opened a log. Linux only (<see cref="IsSupported"/>).
/// </summary>
internal sealed class OpenWatch : IDisposable
{
    private const int IN_CLOSE = 0x18, IN_OPEN = 0x20, IN_NONBLOCK = 0x800, IN_CLOEXEC = 0x80000, EAGAIN = 11;
    private readonly int _fd;
    private readonly Dictionary<string, int> _opens = new();

    public OpenWatch(string directory)
    {
        _fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        // Closes are watched too: the kernel merges an event with an identical one still unread, so an open, a close
        // and an open again stay three events, and the second open is counted.
        if (_fd < 0 || inotify_add_watch(_fd, directory, IN_OPEN | IN_CLOSE) < 0)
            throw new IOException($"inotify on '{directory}' failed (errno {Marshal.GetLastPInvokeError()})");
    }

    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>How many times the file named <paramref name="fileName"/> was opened since the watch started.</summary>
    public int Opens(string fileName)
    {
        Drain();
        return _opens.GetValueOrDefault(fileName);
    }

    private void Drain()
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            nint read = read_(_fd, buffer, buffer.Length);
            if (read < 0)
            {
                if (Marshal.GetLastPInvokeError() == EAGAIN)
                    return;
                throw new IOException($"reading inotify events failed (errno {Marshal.GetLastPInvokeError()})");
            }
            // struct inotify_event { int wd; uint32 mask; uint32 cookie; uint32 len; char name[len]; }
            for (int at = 0; at < read;)
            {
                uint mask = BitConverter.ToUInt32(buffer, at + 4);
                int nameLength = BitConverter.ToInt32(buffer, at + 12);
                string name = Encoding.UTF8.GetString(buffer, at + 16, nameLength).TrimEnd('\0');
                if ((mask & IN_OPEN) != 0)
                    _opens[name] = _opens.GetValueOrDefault(name) + 1;
                at += 16 + nameLength;
            }
        }
    }

    public void Dispose() => close(_fd);

    [DllImport("libc", SetLastError = true)] private static extern int inotify_init1(int flags);
    [DllImport("libc", SetLastError = true)] private static extern int inotify_add_watch(int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mask);
    [DllImport("libc", SetLastError = true, EntryPoint = "read")] private static extern nint read_(int fd, byte[] buffer, nint count);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
}
