using Akka.Actor;
using Akka.Persistence.Journal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>End to end: a ReceivePersistentActor persists, the actor system stops, a new one on the same directory recovers the same state.</summary>
public class PersistentActorRecoveryTests : JournalTestKit
{
    public PersistentActorRecoveryTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void A_persistent_actor_recovers_its_state_in_a_new_actor_system_on_the_same_directory()
    {
        AccountState before;
        var first = StartSystem("e2e-first");
        try
        {
            var reporter = CreateTestProbe(first);
            var account = first.ActorOf(Props.Create(() => new AccountActor(Pid, reporter.Ref)));
            account.Tell(new Credit(10m, "opening"));
            account.Tell(new CreditMany([1m, 2m, 3m]));          // PersistAll: one atomic write
            account.Tell(new Rename("Savings"));                   // through RenameAdapter, with its manifest
            account.Tell(new TaggedDeposit(5m, ["vip", "eu"]));   // bound serializer, tagged
            account.Tell(new PersistUnsafe());                     // rejected: OnPersistRejected, the actor lives on
            var rejected = reporter.ExpectMsg<PersistRejected>();
            Assert.Equal(7, rejected.SequenceNr);
            Assert.Contains(typeof(PrivateSetterEvent).FullName!, rejected.Message);
            Assert.Contains("Secret", rejected.Message);
            Assert.Contains(Pid, rejected.Message);
            account.Tell(new Credit(4m, "after rejection"));
            account.Tell(new GetState(), reporter.Ref);
            before = reporter.ExpectMsg<AccountState>();
        }
        finally
        {
            Terminate(first);
        }

        Assert.Equal(25m, before.Balance);
        Assert.Equal("Savings", before.Name);
        Assert.Equal("credit 10 opening|credit 1 |credit 2 |credit 3 |renamed Savings|deposit 5|credit 4 after rejection", before.History);
        Assert.Equal(8, before.LastSequenceNr);
        var lines = ReadLines(EventLogPath(Pid));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 8], lines.Select(l => l.Seq));
        Assert.Equal([false, true, true, false, false, false, false], lines.Select(l => l.More));
        Assert.Equal(RenameAdapter.ManifestV3, lines[4].Rec.GetProperty("manifest").GetString());
        Assert.Equal(["vip", "eu"], lines[5].Rec.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).OrderDescending());

        var second = StartSystem("e2e-second");
        try
        {
            var reporter = CreateTestProbe(second);
            var account = second.ActorOf(Props.Create(() => new AccountActor(Pid, reporter.Ref)));
            account.Tell(new GetState(), reporter.Ref);
            var recovered = reporter.ExpectMsg<AccountState>();
            Assert.Equal(before with { Recovered = true }, recovered);

            // It carries on numbering after the highest stored sequence number.
            account.Tell(new Credit(100m, "later"));
            account.Tell(new GetState(), reporter.Ref);
            var after = reporter.ExpectMsg<AccountState>();
            Assert.Equal(9, after.LastSequenceNr);
            Assert.Equal(125m, after.Balance);
        }
        finally
        {
            Terminate(second);
        }
        Assert.Equal(9, ReadLines(EventLogPath(Pid)).Last().Seq);
    }

    [Fact]
    public void A_restarted_persistent_actor_recovers_what_it_persisted_in_the_same_system()
    {
        var reporter = CreateTestProbe();
        var account = Sys.ActorOf(Props.Create(() => new AccountActor(Pid, reporter.Ref)));
        account.Tell(new Credit(7m, "x"));
        account.Tell(new CreditMany([1m, 1m]));
        account.Tell(new GetState(), reporter.Ref);
        var before = reporter.ExpectMsg<AccountState>();

        Watch(account);
        account.Tell(PoisonPill.Instance);
        ExpectTerminated(account);

        var again = Sys.ActorOf(Props.Create(() => new AccountActor(Pid, reporter.Ref)));
        again.Tell(new GetState(), reporter.Ref);
        Assert.Equal(before with { Recovered = true }, reporter.ExpectMsg<AccountState>());
    }

    // ---- The actor ----

    public sealed record Credit(decimal Amount, string Note);
    public sealed record CreditMany(decimal[] Amounts);
    public sealed record Rename(string Name);
    public sealed record TaggedDeposit(decimal Amount, string[] Tags);
    public sealed record PersistUnsafe;
    public sealed record GetState;

    /// <summary>Stored as inline JSON.</summary>
    public sealed record Credited(decimal Amount, string Note);

    public sealed record AccountState(decimal Balance, string Name, string History, long LastSequenceNr, bool Recovered);
    public sealed record PersistRejected(string Message, long SequenceNr);

    public sealed class AccountActor : ReceivePersistentActor
    {
        private readonly IActorRef _reporter;
        private decimal _balance;
        private string _name = "";
        private readonly List<string> _history = new();
        private bool _recovered;

        public AccountActor(string persistenceId, IActorRef reporter)
        {
            PersistenceId = persistenceId;
            _reporter = reporter;

            Recover<Credited>(Apply);
            Recover<AccountRenamedFromJournal>(e => Apply(new AccountRenamed(e.NewName)));
            Recover<Deposit>(Apply);
            Recover<RecoveryCompleted>(_ => _recovered = LastSequenceNr > 0);

            Command<Credit>(c => Persist(new Credited(c.Amount, c.Note), Apply));
            Command<CreditMany>(c => PersistAll(c.Amounts.Select(a => new Credited(a, "")), Apply));
            Command<Rename>(c => Persist(new AccountRenamed(c.Name), Apply));
            Command<TaggedDeposit>(c => Persist(new Tagged(new Deposit(PersistenceId, c.Amount), c.Tags), t => Apply((Deposit)t.Payload)));
            Command<PersistUnsafe>(_ => Persist(new PrivateSetterEvent("hidden"), _ => _history.Add("must not happen")));
            Command<GetState>(_ => Sender.Tell(new AccountState(_balance, _name, string.Join("|", _history), LastSequenceNr, _recovered)));
        }

        public override string PersistenceId { get; }

        private void Apply(Credited e)
        {
            _balance += e.Amount;
            _history.Add($"credit {e.Amount} {e.Note}");
        }

        private void Apply(AccountRenamed e)
        {
            _name = e.NewName;
            _history.Add($"renamed {e.NewName}");
        }

        private void Apply(Deposit e)
        {
            _balance += e.Amount;
            _history.Add($"deposit {e.Amount}");
        }

        protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
        {
            _reporter.Tell(new PersistRejected(cause.Message, sequenceNr));
            base.OnPersistRejected(cause, @event, sequenceNr);
        }
    }
}
