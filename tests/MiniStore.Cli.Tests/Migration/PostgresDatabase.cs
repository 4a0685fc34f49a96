using Xunit;
using Npgsql;

namespace MiniStore.Cli.Tests.Migration;

/// <summary>
/// A fresh database on the PostgreSQL server named by MINISTORE_TEST_POSTGRES (set by .ci/run, see .ci/postgres),
/// dropped afterwards. Tests call <see cref="CreateOrSkip"/>: without the variable they are reported as skipped.
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    public const string Variable = "MINISTORE_TEST_POSTGRES";
    private readonly string _server;
    private readonly string _name;

    private PostgresDatabase(string server)
    {
        _server = server;
        _name = "t_" + Guid.NewGuid().ToString("N");
        Execute($"CREATE DATABASE {_name}");
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static PostgresDatabase CreateOrSkip()
    {
        string? server = Environment.GetEnvironmentVariable(Variable);
        Skip.If(string.IsNullOrEmpty(server), $"needs a PostgreSQL server: {Variable} is not set (.ci/run starts one; locally: eval \"$(.ci/postgres start /tmp/ministore-pg)\")");
        return new PostgresDatabase(server!);
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_server);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }
}
