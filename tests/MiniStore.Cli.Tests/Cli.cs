using System.Diagnostics;

namespace MiniStore.Cli.Tests;

/// <summary>Runs <c>ministore</c> in-process (through <see cref="MiniStoreCli.RunAsync"/>) or as a child process.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        /// <summary>Whatever went wrong, the user sees messages, not a .NET stack trace.</summary>
        public Result WithoutStackTrace()
        {
            Xunit.Assert.DoesNotContain("   at ", Output + Error);
            Xunit.Assert.DoesNotContain("Unhandled exception", Output + Error);
            return this;
        }
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await MiniStoreCli.RunAsync(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>The tool's dll, copied to this test's output folder by the project reference, run with <c>dotnet</c>.</summary>
    public static ProcessStartInfo ProcessStart(params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MiniStore.Cli.dll"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return info;
    }

    public static async Task<Result> RunProcessAsync(params string[] args)
    {
        using var process = Process.Start(ProcessStart(args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
