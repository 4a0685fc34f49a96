using System.CommandLine;
using System.Globalization;
using System.Text;
using Akka.Persistence.MiniStore.Storage;
using MiniStore.Cli.Output;
using MiniStore.Cli.Store;

namespace MiniStore.Cli.Commands;

/// <summary><c>ministore cat DIR PID</c>: a persistence id's events in order, one per line, read and checked as the journal replays them.</summary>
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
        command.SetStoreAction(directory, (parseResult, layout, output, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            string pid = parseResult.GetValue(persistenceId)!;
            if (StoreCommand.EventLogOf(layout, pid, error, command) is not { } path)
                return Task.FromResult(ExitCodes.NotFound);
            if (!MiniStoreLog.Exists(path))
                return Task.FromResult(StoreCommand.Fail(error, command, ExitCodes.NotFound, $"no events for persistence id '{pid}' (no file {path})"));
            long first = parseResult.GetValue(from), last = parseResult.GetValue(to);
            bool asJson = parseResult.GetValue(json);
            using var log = MiniStoreLog.Open(path, LogScanner.ReadOptions, readOnly: true);
            var check = new EventLogCheck(path, pid);
            long start = first <= 1 ? 0 : log.Seek(check.SequenceNrOf, first);
            foreach (var record in log.Read(start, start == 0 ? 1 : 0))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var e = check.Read(record);
                if (e.SequenceNr < first) continue;
                if (e.SequenceNr > last) break;
                output.WriteLine(asJson ? Encoding.UTF8.GetString(record.Json.Span) : Describe(e));
            }
            if (log.TornTail is { } torn && last == long.MaxValue)
                error.WriteLine(Printable.Escape($"ministore cat: note: '{path}' ends in a torn tail ({torn.Length} bytes from byte offset {torn.Offset}: {torn.Reason}), not printed; `ministore verify` says more"));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary><c>3  2026-11-26T01:36:32.5757891Z  CounterSample.Incremented  [counter]  {"By":3}</c>, escaped for a terminal.</summary>
    public static string Describe(in EventRecord e)
    {
        string type = e.Payload.PayloadType is { } t ? t.Split(',')[0] : $"serializer {e.Payload.SerializerId}" + (string.IsNullOrEmpty(e.Payload.SerializerManifest) ? "" : $" '{e.Payload.SerializerManifest}'");
        string payload = e.Payload.Bytes is { } bytes ? $"<{bytes.Length} bytes>" : Encoding.UTF8.GetString(e.Payload.PayloadJson.Span);
        string tags = e.Tags.Count == 0 ? "" : $"  [{string.Join(",", e.Tags)}]";
        return Printable.Escape($"{e.SequenceNr}  {Time(e.Timestamp)}  {type}{tags}  {payload}");
    }

    /// <summary>As records write it: ISO-8601 UTC with 100 ns precision (ticks that are no time are shown as they are).</summary>
    private static string Time(long utcTicks) =>
        utcTicks is >= 0 and <= 3155378975999999999 // DateTime.MaxValue.Ticks
            ? new DateTime(utcTicks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)
            : $"(ticks {utcTicks})";
}
