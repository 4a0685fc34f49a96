using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.MiniStore;
using Microsoft.Win32.SafeHandles;

namespace MiniStore.CrashWriter;

/// <summary>
/// Two modes for tests that need a process of their own:
/// <list type="bullet">
/// <item><c>fleet</c>: thousands of actors persist one event each, all at once, then a new actor system recovers them
/// all; run under a low <c>ulimit -n</c> (and optionally holding extra descriptors, as an application with sockets
/// would), it shows the journal keeps within the process's file limit. Prints "PERSISTED n", "RECOVERED n", then
/// "FLEET OK" (exit 0) or "FLEET FAILED reason" (exit 3).</item>
/// <item><c>memory</c>: short-lived actors, one per id (recover, persist one event, stop), as a device that makes an
/// actor per job; prints the managed heap after a full collection once 1,000 ids were written and at the end:
/// "HEAP ids bytes". Syncs are skipped (not what is measured), so it runs fast.</item>
/// </list>
/// </summary>
public static class Fleet
{
    public static async Task<int> RunFleetAsync(string directory, int actors, int holdDescriptors)
    {
        Console.SetOut(Console.Error);
        var held = Enumerable.Range(0, holdDescriptors).Select(_ => File.OpenHandle("/dev/null")).ToList();
        try
        {
            var config = CrashStoreConfig.For(directory).WithFallback(ConfigurationFactory.ParseString(
                "akka.persistence.journal.ministore.circuit-breaker.call-timeout = 120s\nakka.actor.inbox.inbox-size = 1000000"));
            using (var system = ActorSystem.Create("fleet-write", config))
            {
                var inbox = Inbox.Create(system);
                for (int i = 0; i < actors; i++)
                    system.ActorOf(Props.Create(typeof(OneEventActor), $"fleet-{i}", inbox.Receiver, true, false));
                for (int i = 0; i < actors; i++)
                    if (inbox.Receive(TimeSpan.FromSeconds(120)) is not "persisted")
                        return Failed("a persist failed");
                Output.Line($"PERSISTED {actors}");
                await system.Terminate();
            }
            using (var system = ActorSystem.Create("fleet-read", config))
            {
                var inbox = Inbox.Create(system);
                for (int i = 0; i < actors; i++)
                    system.ActorOf(Props.Create(typeof(OneEventActor), $"fleet-{i}", inbox.Receiver, false, false));
                for (int i = 0; i < actors; i++)
                    if (inbox.Receive(TimeSpan.FromSeconds(120)) is not "recovered 1")
                        return Failed("an actor did not recover its one event");
                Output.Line($"RECOVERED {actors}");
                await system.Terminate();
            }
            Output.Line("FLEET OK");
            return 0;
        }
        catch (Exception e)
        {
            return Failed(e.Message.ReplaceLineEndings(" "));
        }
        finally
        {
            held.ForEach(h => h.Dispose());
        }

        static int Failed(string why)
        {
            Output.Line($"FLEET FAILED {why}");
            return 3;
        }
    }

    public static async Task<int> RunMemoryAsync(string directory, int ids)
    {
        Console.SetOut(Console.Error);
        var setup = BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString("akka.actor.inbox.inbox-size = 1000000").WithFallback(CrashStoreConfig.For(directory)))
            .And(new MiniStoreFileSyncSetup(new NoSync()));
        using var system = ActorSystem.Create("memory", setup);
        var inbox = Inbox.Create(system);
        for (int from = 0; from < ids; from += 1000)
        {
            int count = Math.Min(1000, ids - from);
            for (int i = from; i < from + count; i++)
                system.ActorOf(Props.Create(typeof(OneEventActor), $"job-{i}", inbox.Receiver, true, true)); // not an expression: compiling one per actor costs more than the actor
            for (int i = 0; i < count; i++)
                if (inbox.Receive(TimeSpan.FromSeconds(60)) is not "persisted")
                    throw new InvalidOperationException("a persist failed");
            if (from + count == 1000 || from + count == ids)
            {
                Output.Line($"HEAP {from + count} {HeapAfterFullCollection()}");
                if (Environment.GetEnvironmentVariable("MINISTORE_MEMORY_PAUSE") is "1")
                    Thread.Sleep(15_000); // time for dotnet-gcdump
            }
        }
        await system.Terminate();
        return 0;
    }

    private static long HeapAfterFullCollection()
    {
        Thread.Sleep(3000); // the last actors stop, and the scheduler lets go of their cancelled recovery timeouts
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed class NoSync : IFileSync
    {
        public void SyncFile(SafeFileHandle file) { }
        public void SyncDirectory(string directory) { }
    }

    /// <summary>Recovers, reports how many events it recovered, persists one event if asked (and stops after it if asked).</summary>
    internal sealed class OneEventActor : ReceivePersistentActor
    {
        public OneEventActor(string persistenceId, IActorRef reporter, bool persist, bool stopAfter)
        {
            PersistenceId = persistenceId;
            int recovered = 0;
            Recover<string>(_ => recovered++);
            Recover<RecoveryCompleted>(_ =>
            {
                if (!persist)
                {
                    reporter.Tell($"recovered {recovered}");
                    return;
                }
                Persist("event", _ =>
                {
                    reporter.Tell("persisted");
                    if (stopAfter)
                        Context.Stop(Self);
                });
            });
        }

        public override string PersistenceId { get; }

        protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
        {
            Output.Line($"FLEET FAILED {cause.Message.ReplaceLineEndings(" ")}");
            base.OnPersistFailure(cause, @event, sequenceNr);
        }
    }
}
