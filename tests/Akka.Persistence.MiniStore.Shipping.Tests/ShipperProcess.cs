using System.Diagnostics;
using System.Text;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>The shipper beside the application, as a real child process (ShipProcess.dll, see ShipProcess/Program.cs).</summary>
internal sealed class ShipperProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ShipperProcess(Process process) => _process = process;

    public static ShipperProcess Start(string store, string targetConf, bool follow, int pollMilliseconds = 50, int batchSize = 1000)
    {
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ShipProcess.dll"), store, targetConf, follow ? "follow" : "once", $"{pollMilliseconds}", $"{batchSize}" })
            info.ArgumentList.Add(arg);
        var child = new ShipperProcess(Process.Start(info)!);
        child._process.OutputDataReceived += (_, e) => { lock (child._output) child._output.AppendLine(e.Data); };
        child._process.ErrorDataReceived += (_, e) => { lock (child._output) child._output.AppendLine(e.Data); };
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>SIGKILL: no cleanup of any kind runs in the child.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
    }
}
