using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Persistence.MiniStore;
using MiniStore.CrashWriter;

namespace MiniStore.CrashCampaign;

/// <summary>
/// Tears a batch the way a crash during its write (or a power loss before its fsync) would, beyond every acknowledged
/// event: the unacknowledged batch a writer was writing when it was killed, if a log ends with one, else a batch
/// appended for the purpose through the engine. The batch is cut after 1 to 4 of its 5 lines or in the middle of a line.
/// </summary>
internal sealed class BatchTearer(string store, Dictionary<string, PidState> pids, Random random)
{
    /// <summary>Tears a batch and says which; null when no log holds an event yet (every writer was killed before its first).</summary>
    public async Task<string?> TearABatchAsync(int preferred)
    {
        var order = Enumerable.Range(0, pids.Count).Select(i => pids[CrashSchedule.PersistenceId((preferred + i) % pids.Count)]).ToList();
        PidState? pid = null;
        string path = "";
        List<RawLine>? batch = null;
        string origin = "the unacknowledged batch the writer was writing";
        foreach (var candidate in order)
        {
            path = EventLogPath(candidate.Pid);
            batch = await UnacknowledgedLastBatchAsync(path, candidate);
            if (batch is not null)
            {
                pid = candidate;
                break;
            }
        }
        if (batch is null)
        {
            pid = order[0];
            if (!File.Exists(EventLogPath(pid.Pid)) || pid.MaxAcked == 0)
                return null;
            path = EventLogPath(pid.Pid);
            origin = "a batch appended for the purpose";
            AppendBatch(path, pid);
            batch = await UnacknowledgedLastBatchAsync(path, pid) ?? throw new InvalidOperationException($"no batch found at the end of '{path}' after appending one");
        }

        long cutAt;
        string where;
        if (random.Next(2) == 0)
        {
            int whole = random.Next(1, batch.Count); // 1..4 complete lines of the batch stay
            cutAt = batch[whole - 1].End;
            where = $"after {whole} of its {batch.Count} lines";
        }
        else
        {
            var line = batch[random.Next(batch.Count)];
            cutAt = line.Offset + 1 + random.Next((int)(line.End - line.Offset - 2)); // keeps 1 .. length-1 bytes, so the '\n' is gone
            where = $"in the middle of its line {batch.IndexOf(line) + 1}";
        }
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(cutAt);
            file.Flush(flushToDisk: true);
        }
        long first = batch[0].Seq!.Value;
        pid!.HighestAfterTear = first - 1;
        return $"{pid.Pid}: tore {origin} ({first}..{first + batch.Count - 1}) {where}";
    }

    private string EventLogPath(string pid) => Path.Combine(store, "journal", PersistenceIdFileName.For(pid) + ".jsonl");

    /// <summary>
    /// The lines of the batch that ends the log at <paramref name="path"/>, if a crash could have torn it: it lies
    /// beyond the frame holding the highest acknowledged event, and nothing durable refers to it. (A deletion mark
    /// records the highest sequence number when it was written, which may include events that were written and
    /// fsync'd but whose ACK the kill prevented; such events are durable and must stay.) Null when there is none.
    /// </summary>
    private static async Task<List<RawLine>?> UnacknowledgedLastBatchAsync(string path, PidState pid)
    {
        if (!File.Exists(path))
            return null;
        var lines = RawLine.Split(await File.ReadAllBytesAsync(path));
        int keepLines = 0;
        int acked = lines.FindLastIndex(l => l.Seq == pid.MaxAcked);
        if (acked >= 0)
        {
            keepLines = acked;
            while (keepLines < lines.Count && lines[keepLines].More)
                keepLines++;
            keepLines++;
        }
        var batch = LastFrameFrom(lines, keepLines);
        if (batch is null || batch.Count == 1 || batch[0].Seq <= HighestMarked(path) || batch[0].Seq <= HighestIndexed(path, pid.Pid))
            return null;
        return batch;
    }

    /// <summary>
    /// The lines of the last frame of the file if it is complete and starts at or after line <paramref name="from"/>
    /// (which must start a frame); null when there is no such frame or the kill left the last one unfinished.
    /// </summary>
    private static List<RawLine>? LastFrameFrom(List<RawLine> lines, int from)
    {
        List<RawLine>? last = null;
        for (int start = from; start < lines.Count;)
        {
            int end = start;
            while (end < lines.Count && lines[end].More)
                end++;
            if (end >= lines.Count)
                return null;
            last = lines.GetRange(start, end - start + 1);
            start = end + 1;
        }
        return last is not null && last.All(l => l.Complete && l.Seq is not null) ? last : null;
    }

    /// <summary>
    /// The highest sequence number of <paramref name="persistenceId"/> in the event index beside the log. The journal
    /// indexes an event only once it is fsync'd, so a batch the index lists was durable before the kill: a crash cannot
    /// have torn it, and the store rightly refuses to recover a log that lost it.
    /// </summary>
    private static long HighestIndexed(string eventsPath, string persistenceId)
    {
        string index = Path.Combine(Path.GetDirectoryName(eventsPath)!, "index", "events.jsonl");
        if (!MiniStoreLog.Exists(index))
            return 0;
        using var log = MiniStoreLog.Open(index, readOnly: true);
        long highest = 0;
        foreach (var entry in log.Read())
        {
            using var json = JsonDocument.Parse(entry.Json);
            if (json.RootElement.GetProperty("pid").GetString() == persistenceId)
                highest = Math.Max(highest, json.RootElement.GetProperty("seq").GetInt64());
        }
        return highest;
    }

    /// <summary>The highest "highestSeq" among the deletion marks of the event log at <paramref name="eventsPath"/>.</summary>
    private static long HighestMarked(string eventsPath)
    {
        long highest = 0;
        string marks = Path.ChangeExtension(eventsPath, ".deleted.jsonl");
        if (!MiniStoreLog.Exists(marks))
            return highest;
        using var log = MiniStoreLog.Open(marks, readOnly: true);
        foreach (var mark in log.Read())
        {
            using var json = JsonDocument.Parse(mark.Json);
            highest = Math.Max(highest, json.RootElement.GetProperty("highestSeq").GetInt64());
        }
        return highest;
    }

    /// <summary>
    /// Appends one PersistAll-like batch of 5 events after the last event of the log, in the plugin's record format,
    /// through the engine. (Opening the log repairs a tail torn earlier that no writer has recovered since.)
    /// </summary>
    private static void AppendBatch(string path, PidState pid)
    {
        using var log = MiniStoreLog.Open(path);
        var last = log.LastRecordAtOpen ?? throw new InvalidOperationException($"'{path}' holds no event to copy the record format from");
        var template = JsonNode.Parse(last.Json.Span)!.AsObject();
        long next = template["seq"]!.GetValue<long>() + 1;
        var records = new List<ReadOnlyMemory<byte>>();
        for (int i = 0; i < CrashSchedule.BatchSize; i++)
        {
            var record = template.DeepClone().AsObject();
            record["seq"] = next + i;
            record["payload"] = JsonSerializer.SerializeToNode(new CrashEvent(pid.Pid, next + i, $"torn/{pid.Pid}/{next}", CrashSchedule.BatchSize, i));
            records.Add(JsonSerializer.SerializeToUtf8Bytes(record));
        }
        log.Append(records);
    }

    /// <summary>One line of a log file as bytes: where it is, whether it ended with '\n', its "more" flag and its record's "seq".</summary>
    private sealed record RawLine(long Offset, long End, bool Complete, bool More, long? Seq)
    {
        public static List<RawLine> Split(byte[] bytes)
        {
            var lines = new List<RawLine>();
            for (int start = 0; start < bytes.Length;)
            {
                int newline = Array.IndexOf(bytes, (byte)'\n', start);
                bool complete = newline >= 0;
                int end = complete ? newline + 1 : bytes.Length;
                bool more = false;
                long? seq = null;
                try
                {
                    using var json = JsonDocument.Parse(bytes.AsMemory(start, end - start));
                    more = json.RootElement.TryGetProperty("more", out var flag) && flag.GetBoolean();
                    seq = json.RootElement.GetProperty("rec").GetProperty("seq").GetInt64();
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    // a damaged or torn line
                }
                lines.Add(new RawLine(start, end, complete, more, seq));
                start = end;
            }
            return lines;
        }
    }
}
