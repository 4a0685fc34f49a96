using System.Diagnostics;
using System.Reflection;

namespace MiniStore.Benchmarks;

/// <summary>How to start this benchmark again in a child process: its apphost, or <c>dotnet</c> with its assembly (as <c>dotnet run</c> starts it).</summary>
internal static class SelfProcess
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("the benchmark's own executable is unknown");
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return info;
    }
}
