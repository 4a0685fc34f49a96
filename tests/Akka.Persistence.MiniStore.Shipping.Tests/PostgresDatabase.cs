using Npgsql;
using Xunit;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>
/// A fresh database on the PostgreSQL server named by MINISTORE_TEST_POSTGRES (set by .ci/run, see .ci/postgres),
/// dropped afterwards. Without the variable the tests that need it are reported as skipped.
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    public const string Variable = "MINISTORE_TEST_POSTGRES";
    private readonly string _server;
    private readonly string _name;

    private PostgresDatabase(string server)
    {
        _server = server;
        _name = "ship_" + Guid.NewGuid().ToString("N");
        Execute($"CREATE DATABASE {_name}");
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static string ServerOrSkip()
    {
        string? server = Environment.GetEnvironmentVariable(Variable);
        Skip.If(string.IsNullOrEmpty(server), $"needs a PostgreSQL server: {Variable} is not set (.ci/run starts one; locally: eval \"$(.ci/postgres start /tmp/ministore-pg)\")");
        return server!;
    }

    public static PostgresDatabase CreateOrSkip() => new(ServerOrSkip());

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
