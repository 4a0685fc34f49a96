using Akka.Actor;
using Akka.Persistence.MiniStore.Storage;
using Akka.Persistence.MiniStore.Tests.Journal;
using MiniStore;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Hostile;

/// <summary>
/// Nothing outside the store is ever read, cut or written: a log, deletion log, snapshot file or snapshot directory
/// whose path is a symbolic link is not followed, and one that is a directory (or any non-regular file) is not taken
/// for a missing one. That actor's recovery and writes fail naming the path and what is there; the link's target is
/// left exactly as it was; other actors go on.
/// </summary>
public class OutsideTheStoreTests : JournalTestKit
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);
    private readonly string _outside = NewDirectory();

    public OutsideTheStoreTests(ITestOutputHelper output) : base(output) => Directory.CreateDirectory(_outside);

    public static TheoryData<string> Replacements => new()
    {
        "event log linked to a zero-filled file", "event log linked to a valid log of another id", "event log replaced by a directory",
        "event log replaced by a named pipe", "deletion log linked elsewhere", "snapshot file linked elsewhere",
        "snapshot file replaced by a directory", "snapshot directory linked elsewhere",
    };

    [SkippableTheory]
    [MemberData(nameof(Replacements))]
    public void A_path_that_is_a_link_or_not_a_regular_file_fails_that_actors_recovery_and_writes_and_nothing_outside_changes(string replacement)
    {
        Skip.If(OperatingSystem.IsWindows(), "symbolic links and named pipes need a Unix file system");
        var layout = new StoreLayout(JournalDirectory, SnapshotDirectory);
        string other = Pid + "-other";
        var first = StartSystem("outside-first");
        try
        {
            var journal = JournalOf(first);
            WriteSuccessfully(journal, first, new AtomicWrite(Event("a-1", 1, Pid, WriterGuid)), new AtomicWrite(Event("a-2", 2, Pid, WriterGuid)),
                new AtomicWrite(Event("a-1", 1, other, WriterGuid)));
            var probe = CreateTestProbe(first);
            journal.Tell(new DeleteMessagesTo(Pid, 1, probe.Ref));
            probe.ExpectMsg<DeleteMessagesSuccess>();
            Persistence.Instance.Apply(first).SnapshotStoreFor(null).Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 2, DateTime.UtcNow), "state"), probe.Ref);
            probe.ExpectMsg<SaveSnapshotSuccess>();
        }
        finally
        {
            Terminate(first);
        }

        string target = Path.Combine(_outside, "target");
        string snapshot = StoreLayout.SnapshotFiles(layout.SnapshotsOf(Pid)).Single().Path;
        string replaced = replacement switch
        {
            _ when replacement.StartsWith("event log") => layout.EventLog(Pid),
            _ when replacement.StartsWith("deletion log") => layout.DeletionLog(Pid),
            _ when replacement.StartsWith("snapshot file") => snapshot,
            _ => layout.SnapshotsOf(Pid)!,
        };
        string what;
        if (replacement.EndsWith("directory"))
        {
            DeleteEntry(replaced);
            Directory.CreateDirectory(replaced);
            what = "a directory";
        }
        else if (replacement.EndsWith("named pipe"))
        {
            File.Delete(replaced);
            Assert.Equal(0, Faults.FaultEnvironment.Run("mkfifo", replaced).ExitCode);
            what = "a named pipe";
        }
        else
        {
            if (replacement.Contains("zero-filled"))
                File.WriteAllBytes(target, new byte[4096]);
            else if (replacement.StartsWith("snapshot directory"))
                Directory.Move(replaced, target);
            else
                File.Copy(replacement.Contains("another id") ? layout.EventLog(other) : replaced, target);
            DeleteEntry(replaced);
            File.CreateSymbolicLink(replaced, target);
            what = "a symbolic link";
        }
        var before = Snapshot(_outside);

        var second = StartSystem("outside-second");
        try
        {
            var reporter = CreateTestProbe(second);
            second.ActorOf(ReportingActor.Props(Pid, reporter.Ref));
            string message = reporter.ExpectMsg<ReportingActor.RecoveryFailed>(Slow).Cause.ToString();
            Assert.Contains(replaced, message);
            Assert.Contains(what, message);

            if (!replacement.StartsWith("snapshot"))
            {
                // The journal refuses writes to that id too, naming the path; nothing is created or cut.
                var probe = CreateTestProbe(second);
                JournalOf(second).Tell(new WriteMessages([new AtomicWrite(Event("a-3", 3, Pid, WriterGuid))], probe.Ref, ActorInstanceId));
                probe.ExpectMsg<WriteMessagesFailed>(Slow);
                Assert.Contains(what, probe.ExpectMsg<WriteMessageFailure>(Slow).Cause.ToString());
            }
            Assert.Equal(before, Snapshot(_outside));
            Assert.Empty(Directory.GetFiles(JournalDirectory, "*.broken"));

            // Other actors are served as usual.
            var otherActor = second.ActorOf(ReportingActor.Props(other, reporter.Ref));
            Assert.Equal(["a-1"], reporter.ExpectMsg<ReportingActor.Recovered>(Slow).Events);
            otherActor.Tell("a-2", reporter.Ref);
            Assert.Equal(2, reporter.ExpectMsg<ReportingActor.Persisted>(Slow).SequenceNr);
        }
        finally
        {
            Terminate(second);
        }
    }

    private static void DeleteEntry(string path)
    {
        if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
            Directory.Delete(path, recursive: true);
        else
            File.Delete(path);
    }

    /// <summary>Every file under <paramref name="directory"/> with its bytes and modification time.</summary>
    private static string Snapshot(string directory) =>
        string.Join("\n", Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{f} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))} {File.GetLastWriteTimeUtc(f):O}"));

    protected override void AfterAll()
    {
        base.AfterAll();
        try { Directory.Delete(_outside, recursive: true); } catch (IOException) { }
    }
}
