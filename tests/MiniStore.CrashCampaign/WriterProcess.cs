using System.Diagnostics;
using System.Text;

namespace MiniStore.CrashCampaign;

/// <summary>
/// Runs tests/MiniStore.CrashWriter (or a tool such as strace) as a child process. The campaign (and the test project)
/// reference the writer, so its dll, deps.json and runtimeconfig.json are copied next to them and it is built first.
/// </summary>
public static class WriterProcess
{
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "MiniStore.CrashWriter.dll");

    /// <summary>The dotnet host running the tests (dotnet test sets DOTNET_HOST_PATH), else "dotnet" from PATH.</summary>
    public static string DotnetHost
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
                return host;
            string? self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
                return self;
            return "dotnet";
        }
    }

    /// <summary>Where <paramref name="program"/> is found on PATH, or null.</summary>
    public static string? FindOnPath(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    public static Process Start(string fileName, IEnumerable<string> arguments, StringBuilder stderr, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
        };
        if (!process.Start())
            throw new InvalidOperationException($"could not start {fileName}");
        process.BeginErrorReadLine();
        return process;
    }
}
