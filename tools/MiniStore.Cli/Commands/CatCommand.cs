using MiniStore.Cli.Store;
using System.CommandLine;
using System.Text;
using Akka.Persistence.MiniStore.Journal;
using Akka.Persistence.MiniStore.Serialization;

namespace MiniStore.Cli.Commands;

/// <summary><c>ministore cat DIR PID</c>: a persistence id's events in order, one per line.</summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var directory = CommonArguments.Store();
        var persistenceId = CommonArguments.PersistenceId();
        var from = new Option<long>("--from") { Description = "First sequence number to print.", DefaultValueFactory = _ => 1 };
        var to = new Option<long>("--to") { Description = "Last sequence number to print.", DefaultValueFactory = _ => long.MaxValue };
        var json = new Option<bool>("--json") { Description = "Print each event's stored record as one line of JSON (for jq)." };
        var command = new Command("cat", "Print a persistence id's events in order, one per line: sequence number, time, type, tags, payload.") { directory, persistenceId, from, to, json };
        command.SetStoreAction(directory, async (parseResult, layout, output, cancellationToken) =>
        {
            string pid = parseResult.GetValue(persistenceId)!;
            string path = layout.EventLogFor(pid);
            if (!File.Exists(path))
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"ministore: no events for persistence id '{pid}' (no file {path})");
                return ExitCodes.NotFound;
            }
            long first = parseResult.GetValue(from), last = parseResult.GetValue(to);
            bool asJson = parseResult.GetValue(json);
            await foreach (var record in MiniStoreLog.ReadAsync(path, LogScanner.ReadOptions, cancellationToken))
            {
                var e = EventRecord.Read(record, path);
                if (e.SequenceNr < first) continue;
                if (e.SequenceNr > last) break;
                output.WriteLine(asJson ? Encoding.UTF8.GetString(record.Json.Span) : Describe(e));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>3  2026-11-26T01:36:32.5757891Z  CounterSample.Incremented  [counter]  {"By":3}</c></summary>
    public static string Describe(in EventRecord e)
    {
        string type = e.Payload.PayloadType is { } t ? t.Split(',')[0] : $"serializer {e.Payload.SerializerId}" + (string.IsNullOrEmpty(e.Payload.SerializerManifest) ? "" : $" '{e.Payload.SerializerManifest}'");
        string payload = e.Payload.Bytes is { } bytes ? $"<{bytes.Length} bytes>" : Encoding.UTF8.GetString(e.Payload.PayloadJson.Span);
        string tags = e.Tags.Count == 0 ? "" : $"  [{string.Join(",", e.Tags)}]";
        return $"{e.SequenceNr}  {RecordTimestamp.ToText(e.Timestamp)}  {type}{tags}  {payload}";
    }
}
