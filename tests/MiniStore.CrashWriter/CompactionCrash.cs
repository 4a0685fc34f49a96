using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.MiniStore;
using MiniStore;
using Microsoft.Win32.SafeHandles;

namespace MiniStore.CrashWriter;

/// <summary>
/// The "compact" mode: a compaction that this process does not survive, stopped right after one of its steps. The
/// steps are seen through the sync calls the plugin makes (given to it as a <see cref="MiniStoreFileSyncSetup"/>): the
/// new file's fdatasync comes right after it was written, the directory's fsync right after the rename.
/// </summary>
public static class CompactionCrash
{
    /// <summary>A compaction's steps, in order (see LogCompactor).</summary>
    public enum Step { TemporaryWritten, TemporarySynced, Renamed, DirectorySynced }

    public const string PersistenceId = "compact-1";
    public const int Events = 200;
    public const int DeleteTo = 150;

    public static async Task<int> RunAsync(string directory, Step crashAfter)
    {
        Console.SetOut(Console.Error);
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.ministore"
            akka.persistence.journal.ministore.directory = "{{Path.Combine(directory, "journal").Replace("\\", "/")}}"
            akka.persistence.journal.ministore.compact-on-delete = on
            akka.persistence.journal.ministore.compact-min-dead-bytes = 0
            akka.persistence.journal.ministore.compact-min-dead-ratio = 0
            """).WithFallback(MiniStorePersistence.DefaultConfiguration());
        using var system = ActorSystem.Create("compaction-crash", BootstrapSetup.Create().WithConfig(config).And(new MiniStoreFileSyncSetup(new CrashingSync(crashAfter))));
        var journal = Persistence.Instance.Apply(system).JournalFor(null);
        var inbox = Inbox.Create(system);
        var writes = Enumerable.Range(1, Events)
            .Select(i => (IPersistentEnvelope)new AtomicWrite(new Persistent($"event {i} of a log that compaction will cut", i, PersistenceId, "", false, ActorRefs.NoSender, "crash-writer")))
            .ToImmutableList();
        journal.Tell(new WriteMessages(writes, inbox.Receiver, 1));
        for (int answers = 0; answers <= Events; answers++)
        {
            var answer = inbox.Receive(TimeSpan.FromSeconds(60));
            if (answer is not (WriteMessagesSuccessful or WriteMessageSuccess))
                throw new InvalidOperationException($"write failed: {answer}");
        }
        Output.Line($"WRITTEN {Events}");
        journal.Tell(new DeleteMessagesTo(PersistenceId, DeleteTo, inbox.Receiver));
        if (inbox.Receive(TimeSpan.FromSeconds(60)) is not DeleteMessagesSuccess)
            throw new InvalidOperationException("delete failed");
        Output.Line($"DELETED {DeleteTo}");
        await Task.Delay(TimeSpan.FromSeconds(30));
        Output.Line("NO CRASH");
        return 3;
    }

    /// <summary>Makes every sync, and kills the process at the chosen step of a compaction.</summary>
    private sealed class CrashingSync(Step crashAfter) : IFileSync
    {
        private bool _copySynced;

        public void SyncFile(SafeFileHandle file)
        {
            bool copy = Path.GetFileName(new FileInfo($"/proc/self/fd/{file.DangerousGetHandle()}").LinkTarget ?? "").EndsWith(LogCompactor.TemporaryExtension, StringComparison.Ordinal);
            CrashAt(copy, Step.TemporaryWritten);
            OsFileSync.Instance.SyncFile(file);
            CrashAt(copy, Step.TemporarySynced);
            _copySynced |= copy;
        }

        public void SyncDirectory(string directory)
        {
            CrashAt(_copySynced, Step.Renamed);
            OsFileSync.Instance.SyncDirectory(directory);
            CrashAt(_copySynced, Step.DirectorySynced);
        }

        private void CrashAt(bool compacting, Step step)
        {
            if (!compacting || step != crashAfter)
                return;
            Output.Line($"CRASH {step}");
            Process.GetCurrentProcess().Kill();
        }
    }
}
