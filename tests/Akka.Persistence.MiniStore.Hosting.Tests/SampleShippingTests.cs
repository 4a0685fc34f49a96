using System.Diagnostics;
using Npgsql;
using Xunit;

namespace Akka.Persistence.MiniStore.Hosting.Tests;

/// <summary>
/// docs/SHIPPING.md's runnable example: the CounterHosting sample run twice with <c>--ship-to central.conf</c> leaves
/// the counter's six events in the target, shipped while the sample ran. The target is a second MiniStore store
/// (always) and Akka.Persistence.Sql on PostgreSQL with the page's file (when MINISTORE_TEST_POSTGRES names a server:
/// .ci/run starts one).
/// </summary>
public sealed class SampleShippingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ministore-sample-shipping-").FullName;

    [Fact]
    public async Task The_sample_ships_its_events_to_a_second_store_while_it_runs()
    {
        string target = Path.Combine(_directory, "central");
        string conf = WriteConf($$"""
            akka.persistence {
              journal.plugin = "akka.persistence.journal.central"
              journal.central {
                class = "Akka.Persistence.MiniStore.Journal.MiniStoreJournal, Akka.Persistence.MiniStore"
                directory = "{{target}}/journal"
              }
            }
            """);

        await RunSampleTwiceAsync(conf);

        string log = Directory.GetFiles(Path.Combine(target, "journal"), "counter-1.*.jsonl").Single();
        Assert.Equal(6, File.ReadAllLines(log).Length);
    }

    [SkippableFact]
    public async Task The_sample_ships_its_events_to_PostgreSQL_while_it_runs()
    {
        string? server = Environment.GetEnvironmentVariable("MINISTORE_TEST_POSTGRES");
        Skip.If(string.IsNullOrEmpty(server), "MINISTORE_TEST_POSTGRES is not set (.ci/run starts a server with .ci/postgres)");
        string database = "sample_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(server!, $"CREATE DATABASE {database}");
        try
        {
            string connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
            // docs/SHIPPING.md's central.conf, with this server's connection string.
            string conf = WriteConf($$"""
                akka.persistence {
                  journal.plugin = "akka.persistence.journal.sql"
                  journal.sql {
                    class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                    connection-string = "{{connection}}"
                    provider-name = "PostgreSQL.15"
                  }
                  snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
                  snapshot-store.sql {
                    class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                    connection-string = "{{connection}}"
                    provider-name = "PostgreSQL.15"
                  }
                }
                """);

            await RunSampleTwiceAsync(conf);

            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT sequence_number FROM journal WHERE persistence_id = 'counter-1' ORDER BY ordering", db);
            var sequenceNrs = new List<long>();
            await using (var reader = await query.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    sequenceNrs.Add(reader.GetInt64(0));
            Assert.Equal([1L, 2, 3, 4, 5, 6], sequenceNrs);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server!, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private async Task RunSampleTwiceAsync(string conf)
    {
        string store = Path.Combine(_directory, "device");
        var first = await RunSampleAsync(store, "--ship-to", conf);
        Assert.Contains("Shipping: the target holds counter-1 up to sequence number 3", first);
        var second = await RunSampleAsync(store, "--ship-to", conf);
        Assert.Contains("Recovered value 6 at sequence number 3, from disk", second);
        Assert.Contains("Shipping: the target holds counter-1 up to sequence number 6", second);
        Assert.Contains("ministore-shipping-central: Healthy", second);
    }

    private string WriteConf(string text)
    {
        string path = Path.Combine(_directory, "central.conf");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The sample as a process of its own (its build output is beside this test's, through the project reference).</summary>
    private static async Task<string> RunSampleAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CounterHosting.dll"));
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"the sample exited with {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
