using System.Diagnostics;
using Npgsql;

namespace MiniStore.Shipping.Benchmarks;

/// <summary>The PostgreSQL server the benchmark ships to: MINISTORE_TEST_POSTGRES, or one started with .ci/postgres for the run.</summary>
internal sealed class Postgres : IDisposable
{
    private readonly string? _startedIn;
    private readonly string _server;

    private Postgres(string server, string? startedIn)
    {
        _server = server;
        _startedIn = startedIn;
    }

    public static Postgres Start()
    {
        if (Environment.GetEnvironmentVariable("MINISTORE_TEST_POSTGRES") is { Length: > 0 } given)
            return new Postgres(given, null);
        string script = Path.Combine(RepositoryRoot(), ".ci", "postgres");
        string directory = Path.Combine(Path.GetTempPath(), $"ministore-shipping-bench-pg-{Environment.ProcessId}");
        string output = Run(script, "start", directory);
        const string prefix = "export MINISTORE_TEST_POSTGRES=";
        string line = output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix)) ?? throw new InvalidOperationException($".ci/postgres start printed no connection string: {output}");
        return new Postgres(line[prefix.Length..].Trim('\'', ' ', '\r'), directory);
    }

    /// <summary>A new, empty database on the server.</summary>
    public string NewDatabase(string name)
    {
        using (var connection = new NpgsqlConnection(_server))
        {
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(_server) { Database = name }.ConnectionString;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, ".ci", "postgres")))
                return dir.FullName;
        throw new InvalidOperationException("cannot find the repository's .ci/postgres above " + AppContext.BaseDirectory);
    }

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (_startedIn is not null)
            Run(Path.Combine(RepositoryRoot(), ".ci", "postgres"), "stop", _startedIn);
    }
}
