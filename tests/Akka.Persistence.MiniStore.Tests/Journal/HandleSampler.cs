namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>Counts, as often as it can, the entries of /proc/self/fd that point into a directory, and keeps the highest count.</summary>
public sealed class HandleSampler : IDisposable
{
    private readonly string _directory;
    private readonly Thread _thread;
    private volatile bool _stop;

    public HandleSampler(string directory)
    {
        _directory = directory.TrimEnd('/') + "/";
        _thread = new Thread(Run) { IsBackground = true, Name = "fd sampler" };
        _thread.Start();
    }

    public int Max { get; private set; }
    public int Samples { get; private set; }

    public static int Count(string directoryWithSlash)
    {
        int count = 0;
        foreach (var fd in new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos())
        {
            try
            {
                if (fd.LinkTarget is { } target && target.StartsWith(directoryWithSlash, StringComparison.Ordinal))
                    count++;
            }
            catch (IOException) { } // closed between listing and reading
        }
        return count;
    }

    private void Run()
    {
        while (!_stop)
        {
            try
            {
                Max = Math.Max(Max, Count(_directory));
                Samples++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            Thread.Sleep(1); // leave the CPU to the journal
        }
    }

    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    public void Dispose() => Stop();
}
