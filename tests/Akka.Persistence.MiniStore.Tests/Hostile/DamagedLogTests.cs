using System.Text;
using Akka.Actor;
using Akka.Persistence.MiniStore.Tests.Journal;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Hostile;

/// <summary>
/// Damaged or foreign content in an event log: the persistent actor's recovery fails (OnRecoveryFailure) with a
/// message naming the file, the line, the persistence id and what was expected; nothing is skipped, repaired or
/// changed; and the journal goes on serving other persistence ids.
/// </summary>
public class DamagedLogTests : JournalTestKit
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);

    public DamagedLogTests(ITestOutputHelper output) : base(output) { }

    /// <summary>A log line as the engine writes it, with a correct checksum: damage inside the record is then found by the plugin, not by the checksum.</summary>
    private static string Line(string record)
    {
        string body = "\"rec\":" + record;
        return $"{{\"crc\":\"{Crc32C.Compute(Encoding.UTF8.GetBytes(body)):x8}\",{body}}}";
    }

    private static string Record(string pid, long seq, string payload = "\"x\"", bool withSeq = true, bool withPayload = true,
        string timestamp = "2026-11-26T00:00:00.0000000Z", string tags = "[]", string payloadType = "System.String, System.Private.CoreLib") =>
        "{\"pid\":" + System.Text.Json.JsonSerializer.Serialize(pid) + (withSeq ? $",\"seq\":{seq}" : "") +
        $",\"ts\":\"{timestamp}\",\"writer\":\"w\",\"manifest\":\"\",\"tags\":{tags}" +
        (withPayload ? $",\"payloadType\":\"{payloadType}\",\"payload\":" + payload : "") + "}";

    public static TheoryData<string, int, string> Damages => new()
    {
        // name, line the error must name, what it must say was expected or found
        { "valid JSON with a wrong checksum", 2, "checksum mismatch" },
        { "another persistence id", 2, "belongs to persistence id 'someone-else', expected" },
        { "sequence number going backwards", 3, "sequence number 1 of persistence id" },
        { "missing sequence number", 2, "lacks \"seq\"" },
        { "missing payload", 2, "expected \"payloadType\" and \"payload\"" },
        // A payload type renamed (or removed) since the event was written: the types read before it do not hide it.
        { "payload type renamed since written", 2, "payload type 'Renamed.Since.Written, Gone' cannot be found" },
        // A payload type that exists but that System.Text.Json cannot make (an open generic type).
        { "payload type that is no JSON contract", 2, "payload type 'System.Collections.Generic.List`1, System.Private.CoreLib' cannot be read as JSON" },
        // The timestamp has the written form's shape but is no date: not read as some other date.
        { "timestamp that is no date", 2, "event record is not readable" },
        // A tag that is no string: the record is refused as such, not read up to the tag and missing its payload.
        { "tag that is no string", 2, "\"tags\" to be an array of strings" },
        { "text that is not JSONL", 2, "does not start with {\"crc\"" }, // opening reads the end first: the last line
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void Recovery_fails_naming_file_line_persistence_id_and_expectation_and_other_ids_are_served(string damage, int line, string expected)
    {
        var first = StartSystem("damage-first");
        try
        {
            WriteSuccessfully(JournalOf(first), first,
                new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)), new AtomicWrite(Event("a-2", 2, Pid, WriterGuid)), new AtomicWrite(Event("a-3", 3, Pid, WriterGuid)));
        }
        finally
        {
            Terminate(first);
        }
        string path = EventLogPath(Pid);
        var lines = File.ReadAllLines(path);
        byte[] damaged = damage switch
        {
            "valid JSON with a wrong checksum" => Lines(lines[0], lines[1].Replace(lines[1][8..16], "00000000"), lines[2]),
            "another persistence id" => Lines(lines[0], Line(Record("someone-else", 2)), lines[2]),
            "sequence number going backwards" => Lines(lines[0], lines[1], Line(Record(Pid, 1))),
            "missing sequence number" => Lines(lines[0], Line(Record(Pid, 2, withSeq: false)), lines[2]),
            "missing payload" => Lines(lines[0], Line(Record(Pid, 2, withPayload: false)), lines[2]),
            "payload type renamed since written" => Lines(lines[0], Line(Record(Pid, 2, payloadType: "Renamed.Since.Written, Gone")), lines[2]),
            "payload type that is no JSON contract" => Lines(lines[0], Line(Record(Pid, 2, payloadType: "System.Collections.Generic.List`1, System.Private.CoreLib")), lines[2]),
            "timestamp that is no date" => Lines(lines[0], Line(Record(Pid, 2, timestamp: "2026-02-30T24:61:00.0000000Z")), lines[2]),
            "tag that is no string" => Lines(lines[0], Line(Record(Pid, 2, tags: "[\"t\",1]")), lines[2]),
            "text that is not JSONL" => Encoding.UTF8.GetBytes("timestamp,device,temperature,humidity\n2026-11-26T00:00:00Z,sensor-1,21.5,40\n"),
            "binary without a line break" => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x1a, 0, 0, 0, 0x0d, (byte)'I', (byte)'H', (byte)'D', (byte)'R'],
            _ => throw new ArgumentException(damage),
        };
        File.WriteAllBytes(path, damaged);

        var second = StartSystem("damage-second");
        try
        {
            var reporter = CreateTestProbe(second);
            second.ActorOf(ReportingActor.Props(Pid, reporter.Ref));
            var failed = reporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow);
            string message = failed.Cause.Message;
            Assert.Contains($"'{path}'", message);
            Assert.Contains($"line {line}", message);
            Assert.Contains($"persistence id '{Pid}'", message);
            Assert.Contains(expected, message);

            // Nothing was cut off, moved aside or rewritten.
            Assert.Equal(damaged, File.ReadAllBytes(path));
            Assert.Empty(Directory.GetFiles(JournalDirectory, "*.broken"));

            // The journal keeps serving other persistence ids.
            string other = Pid + "-other";
            var otherActor = second.ActorOf(ReportingActor.Props(other, reporter.Ref));
            reporter.ExpectMsg<ReportingActor.Recovered>(Slow);
            otherActor.Tell("b-1", reporter.Ref);
            Assert.Equal(1, reporter.ExpectMsg<ReportingActor.Persisted>(Slow).SequenceNr);
        }
        finally
        {
            Terminate(second);
        }
    }

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
}
