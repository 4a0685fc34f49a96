using System.Diagnostics;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Tests.Journal;

/// <summary>
/// 20,000 persistent actors in one system, each with its own log, with the journal allowed 256 open files: they all
/// recover and write, twice (a second system recovers what the first wrote), and the journal's handles in its
/// directory never exceed the limit. The process's own limit here may be lower than 20,000 (ulimit -n), so without
/// the bound this fails with "too many open files" as well.
/// </summary>
public class ManyActorsTests : MiniStoreSpec
{
    private const int Actors = 20_000;
    private const int MaxOpenFiles = 256;
    private static readonly string LimitConfig = $"""
        akka.loglevel = WARNING
        akka.persistence.journal.ministore.max-open-files = {MaxOpenFiles}
        # 20,000 writes arrive at once and queue for handles and fsyncs; on a busy machine the last ones wait longer
        # than the journal circuit breaker's default 10 s.
        akka.persistence.journal.ministore.circuit-breaker.call-timeout = 60s
        """;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly ActorFleet Fleet = new("many-", Actors, Patience);

    private readonly ITestOutputHelper _output;

    public ManyActorsTests(ITestOutputHelper output) : base(output, LimitConfig) => _output = output;

    [SkippableFact]
    public void Twenty_thousand_actors_recover_and_write_within_max_open_files()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the open files are counted in /proc/self/fd, which only Linux has");
        using var handles = new HandleSampler(JournalDirectory);
        var watch = Stopwatch.StartNew();

        RunGeneration("many-first", 1);
        _output.WriteLine($"first system: {Actors} actors recovered (empty) and wrote one event each in {watch.ElapsedMilliseconds} ms");
        watch.Restart();
        RunGeneration("many-second", 2);
        _output.WriteLine($"second system: {Actors} actors recovered one event and wrote a second in {watch.ElapsedMilliseconds} ms");

        handles.Stop();
        _output.WriteLine($"at most {handles.Max} handles into the journal directory at once ({handles.Samples} samples)");
        // The lock file and the event index (index/events.jsonl) are held open besides the logs.
        Assert.True(handles.Max <= MaxOpenFiles + 2, $"{handles.Max} handles into the journal directory at once (limit {MaxOpenFiles}, plus the lock file and the event index)");
        Assert.Equal(Actors, Directory.GetFiles(JournalDirectory, "*.jsonl").Length);
    }

    /// <summary>Starts every actor in a new system, checks it recovered the <paramref name="generation"/> - 1 earlier events, has it persist one more, stops the system.</summary>
    private void RunGeneration(string systemName, int generation)
    {
        var system = ActorSystem.Create(systemName, Configuration(StoreDirectory, LimitConfig));
        try
        {
            var reporter = CreateTestProbe(system);
            var watch = Stopwatch.StartNew();
            var actors = Fleet.Recover(system, reporter, generation);
            _output.WriteLine($"{systemName}: recovered in {watch.ElapsedMilliseconds} ms");
            watch.Restart();
            Fleet.Persist(actors, reporter, generation);
            _output.WriteLine($"{systemName}: persisted in {watch.ElapsedMilliseconds} ms");
        }
        finally
        {
            Assert.True(system.Terminate().Wait(Patience), $"actor system {systemName} did not terminate");
        }
    }
}
