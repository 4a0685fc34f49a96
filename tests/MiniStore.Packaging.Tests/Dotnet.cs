using System.Diagnostics;
using Xunit.Abstractions;

namespace MiniStore.Packaging.Tests;

/// <summary>Runs a program (dotnet, or an installed tool) to the end, logging its output to the test's output.</summary>
internal sealed class Dotnet(ITestOutputHelper log)
{
    public static string Host => Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    public async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string fileName, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1"; // no build server left running after the test
        log.WriteLine($"$ {fileName} {string.Join(' ', args)}");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in 3 minutes");
        }
        string text = await output + await error;
        log.WriteLine(text);
        return (process.ExitCode, text);
    }

    /// <summary>Runs <c>dotnet ARGS</c> and fails the test, with the output, unless it exits 0.</summary>
    public async Task<string> SucceedAsync(string workingDirectory, params string[] args)
    {
        var (code, output) = await RunAsync(workingDirectory, Host, args);
        if (code != 0)
            throw new Xunit.Sdk.XunitException($"dotnet {string.Join(' ', args)} exited {code}:\n{output}");
        return output;
    }
}
