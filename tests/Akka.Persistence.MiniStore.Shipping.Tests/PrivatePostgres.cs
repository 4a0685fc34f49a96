using System.Diagnostics;
using Npgsql;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>
/// A PostgreSQL server of the test's own, started with .ci/postgres (as CI starts the shared one), so that the test
/// can stop it and start it again mid-stream: pg_ctl stop / start on its data directory, with the options the script
/// started it with. Only where MINISTORE_TEST_POSTGRES says PostgreSQL is there (else the test is skipped).
/// </summary>
internal sealed class PrivatePostgres : IDisposable
{
    private readonly string _directory;
    private readonly int _port;

    private PrivatePostgres(string directory, string connectionString)
    {
        _directory = directory;
        ConnectionString = connectionString;
        _port = new NpgsqlConnectionStringBuilder(connectionString).Port;
    }

    public string ConnectionString { get; }

    public static PrivatePostgres Start()
    {
        PostgresDatabase.ServerOrSkip();
        string directory = Path.Combine(Path.GetTempPath(), $"ministore-shipping-pg-{Guid.NewGuid():N}");
        string output = Run(Script(), "start", directory);
        const string prefix = "export MINISTORE_TEST_POSTGRES=";
        string line = output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix)) ?? throw new InvalidOperationException($".ci/postgres start printed no connection string: {output}");
        return new PrivatePostgres(directory, line[prefix.Length..].Trim('\'', ' ', '\r'));
    }

    public void Stop()
    {
        NpgsqlConnection.ClearAllPools();
        PgCtl("-D", Path.Combine(_directory, "data"), "-m", "fast", "-w", "stop");
    }

    public void Resume() =>
        PgCtl("-D", Path.Combine(_directory, "data"), "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -c port={_port} -c unix_socket_directories={_directory} -c fsync=on", "start");

    private static void PgCtl(params string[] args)
    {
        string bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(Directory.Exists).OrderBy(v => v).LastOrDefault()
                     ?? throw new InvalidOperationException("no /usr/lib/postgresql/*/bin");
        string pgCtl = Path.Combine(bin, "pg_ctl");
        if (Environment.UserName == "root")
            Run("runuser", ["-u", "postgres", "--", pgCtl, .. args]);
        else
            Run(pgCtl, args);
    }

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, ".ci", "postgres")))
                return Path.Combine(dir.FullName, ".ci", "postgres");
        throw new InvalidOperationException("cannot find .ci/postgres above " + AppContext.BaseDirectory);
    }

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        return output;
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try { Run(Script(), "stop", _directory); } catch (InvalidOperationException) { }
    }
}
