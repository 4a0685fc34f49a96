using Akka.Actor;
using Akka.Persistence.MiniStore.Tests.Journal;
using Xunit;
using Xunit.Abstractions;
using static Akka.Persistence.MiniStore.Tests.Faults.FaultProbeActor;

namespace Akka.Persistence.MiniStore.Tests.Faults;

/// <summary>
/// A read-only journal directory and a log that may not be written (chattr +i: root ignores mode bits, not this
/// flag), a journal directory that vanishes (moved away, as an unmounted or removed volume), and a serializer that
/// throws. Each time the actor gets the failure naming its persistence id and file, other actors are served, no half
/// record stays, and once the fault is cleared writing resumes with no gap.
/// </summary>
public sealed class FileFaultTests(ITestOutputHelper output) : FaultTestBase(output, null)
{
    [SkippableFact]
    public void A_read_only_journal_directory_fails_a_new_ids_first_write_by_name_and_serves_the_open_ones()
    {
        Skip.If(FaultEnvironment.NoImmutableFlag is not null, FaultEnvironment.NoImmutableFlag);
        var a = Recover("ro-a", 0);
        Persist(a, "a-1");

        FaultEnvironment.Immutable(JournalDirectory, true);
        try
        {
            // Recovery of a new id reads nothing and creates no file, so it is its first write that fails.
            var fresh = Recover("ro-new", 0);
            fresh.Tell("new-0");
            AssertNames(ExpectMsg<PersistFailed>(Wait).Message, "ro-new", EventLogPath("ro-new"), "Operation not permitted");
            Assert.False(File.Exists(EventLogPath("ro-new")));
            Persist(a, "a-2");
        }
        finally
        {
            FaultEnvironment.Immutable(JournalDirectory, false);
        }
        var created = Recover("ro-new", 0);
        Persist(created, "new-1");
    }

    [Fact]
    public async Task A_vanished_journal_directory_fails_writes_by_name_and_is_not_silently_recreated()
    {
        var a = Recover("gone-a", 0);
        Persist(a, "a-1", "a-2");
        string away = JournalDirectory + ".away";

        Directory.Move(JournalDirectory, away);
        try
        {
            a.Tell("a-3");
            var failed = ExpectMsg<PersistFailed>(Wait);
            AssertNames(failed.Message, "gone-a", EventLogPath("gone-a"), "removed");
            Start("gone-new");
            AssertNames(ExpectMsg<RecoveryFailed>(Wait).Message, "gone-new", EventLogPath("gone-new"), "does not exist");
            Assert.False(Directory.Exists(JournalDirectory), "the journal directory was recreated empty");
        }
        finally
        {
            Directory.Move(away, JournalDirectory);
        }
        var again = Recover("gone-a", 2);
        again.Tell("a-3");
        Assert.Equal(3, ExpectMsg<Persisted>(Wait).Seq);
        await AssertWholeRecordsAsync(EventLogPath("gone-a"), 3);
    }

    [SkippableFact]
    public async Task A_log_that_may_not_be_written_fails_its_own_actor_by_name_and_no_other()
    {
        Skip.If(FaultEnvironment.NoImmutableFlag is not null, FaultEnvironment.NoImmutableFlag);
        var a = Recover("perm-a", 0);
        var b = Recover("perm-b", 0);
        Persist(a, "a-1");
        Persist(b, "b-1");

        FaultEnvironment.Immutable(EventLogPath("perm-a"), true);
        try
        {
            a.Tell("a-2");
            var failed = ExpectMsg<PersistFailed>(Wait);
            AssertNames(failed.Message, "perm-a", EventLogPath("perm-a"), "Operation not permitted");
            Persist(b, "b-2");
            // A log that cannot be written is still replayed (opened for reading); its next write fails by name.
            var reopened = Recover("perm-a", 1);
            reopened.Tell("a-2");
            AssertNames(ExpectMsg<PersistFailed>(Wait).Message, "perm-a", EventLogPath("perm-a"), "Operation not permitted");
        }
        finally
        {
            FaultEnvironment.Immutable(EventLogPath("perm-a"), false);
        }
        var again = Recover("perm-a", 1);
        Persist(again, "a-2");
        await AssertWholeRecordsAsync(EventLogPath("perm-a"), 2);
    }

    [Fact]
    public async Task A_serializer_exception_rejects_that_event_by_name_and_the_actor_goes_on()
    {
        var a = Recover("ser-a", 0);
        var b = Recover("ser-b", 0);
        Persist(a, "a-1");

        a.Tell(new ExplodingPayload());
        var rejected = ExpectMsg<PersistRejected>(Wait);
        Assert.Equal(2, rejected.Seq);
        AssertNames(rejected.Message, "ser-a", "ExplodingSerializer refuses everything");
        a.Tell("a-3");
        Assert.Equal(3, ExpectMsg<Persisted>(Wait).Seq);
        Persist(b, "b-1");

        var again = Recover("ser-a", 3, 1, 3);
        Sys.Stop(again);
        await AssertWholeRecordsAsync(EventLogPath("ser-a"), 2);
    }
}
