using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.MiniStore;
using Akka.Persistence.MiniStore.Query;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace MiniStore.Benchmarks;

/// <summary>
/// Q1: a current events-by-tag query over a journal of N tagged events (10 persistence ids, written with PersistAll
/// in batches of 1,000), read to the end by a counting sink, in an actor system started after the writes; the same
/// events and the same query on Akka.Persistence.Sql with SQLite (<see cref="Journal.Sqlite"/>) in the same run.
/// <code>dotnet run -c Release --project benchmarks/MiniStore.Benchmarks -- query-by-tag [events=1000000] [repeats=3] [directory] [TagTable|Csv]</code>
/// </summary>
internal static class QueryScenario
{
    private const int PersistenceIds = 10;
    private const int BatchSize = 1000;
    public const string Tag = "bench";

    public static async Task RunAsync(string[] args)
    {
        int events = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
        int repeats = args.Length > 1 ? int.Parse(args[1]) : 3;
        string root = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), "ministore-bench-query");
        // Akka.Persistence.Sql keeps tags in a tag table (its default, TagTable) or in a column of the journal (Csv).
        string tagMode = args.Length > 3 ? args[3] : "TagTable";
        if (Directory.Exists(root)) Directory.Delete(root, true);
        Console.WriteLine($"Q1 current events by tag over {events:N0} tagged events ({PersistenceIds} persistence ids), median of {repeats} runs after one warm-up, in {root}");

        string miniStoreDir = Path.Combine(root, Journal.MiniStore.Name), sqliteDir = Path.Combine(root, Journal.Sqlite.Name);
        var miniStore = await WriteAndQueryAsync(Journal.MiniStore, MiniStoreReadJournal.Identifier, miniStoreDir, events, repeats);
        Console.WriteLine($"  SQLite journal as the plugin opens it: {Journal.PrepareSqlite(sqliteDir)}");
        var sqlite = Journal.Sqlite with
        {
            Name = $"SQLite {tagMode}",
            ConfigFor = dir => ConfigurationFactory.ParseString($$"""
                akka.persistence.journal.sql.tag-write-mode = {{tagMode}}
                akka.persistence.query.journal.sql.tag-read-mode = {{tagMode}}
                """).WithFallback(Journal.Sqlite.ConfigFor(dir)),
        };
        var sqliteResult = await WriteAndQueryAsync(sqlite, SqlReadJournalIdentifier, sqliteDir, events, repeats);
        Console.WriteLine($"  {$"Q1 MiniStore / {sqlite.Name} (Akka.Persistence.Sql)",-62} {miniStore.Median / sqliteResult.Median,12:N2}x");

        // The index is derived from the logs: time a rebuild (what a first start on a store without one does).
        File.Delete(Path.Combine(miniStoreDir, "journal", "index", "events.jsonl"));
        var watch = Stopwatch.StartNew();
        var rebuilding = ActorSystem.Create("rebuild", Journal.MiniStore.ConfigFor(miniStoreDir));
        await PersistenceQuery.Get(rebuilding).ReadJournalFor<MiniStoreReadJournal>(MiniStoreReadJournal.Identifier)
            .CurrentEventsByTag(Tag, Offset.Sequence(events - 1)).RunWith(Sink.Ignore<EventEnvelope>(), rebuilding.Materializer());
        Console.WriteLine($"  {"index rebuild from the logs at start",-58} {events / watch.Elapsed.TotalSeconds,12:N0} /s   ({watch.Elapsed.TotalSeconds:F1} s)");
        await rebuilding.Terminate();
    }

    /// <summary>Akka.Persistence.Sql's read journal (SqlReadJournal), configured in <see cref="Journal.Sqlite"/>.</summary>
    private const string SqlReadJournalIdentifier = "akka.persistence.query.journal.sql";

    /// <summary>Writes the tagged events (set-up, not timed), then times the current events-by-tag query in a system started after the writes.</summary>
    private static async Task<Result> WriteAndQueryAsync(Journal journal, string readJournalId, string dir, int events, int repeats)
    {
        var watch = Stopwatch.StartNew();
        await WriteTaggedAsync(journal.ConfigFor(dir), events);
        Console.WriteLine($"  {$"writing them to {journal.Name} (PersistAll, batches of 1,000)",-58} {events / watch.Elapsed.TotalSeconds,12:N0} /s");

        var system = ActorSystem.Create("query", journal.ConfigFor(dir));
        try
        {
            var queries = PersistenceQuery.Get(system).ReadJournalFor<ICurrentEventsByTagQuery>(readJournalId);
            var materializer = system.Materializer();
            var cpu = new List<double>();
            var result = await Measure.RateAsync($"Q1 CurrentEventsByTag, {journal.Name} ({events})", repeats, events, async _ =>
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                long count = await queries.CurrentEventsByTag(Tag, NoOffset.Instance).RunWith(Sink.Aggregate<EventEnvelope, long>(0, (n, _) => n + 1), materializer);
                if (count != events) throw new InvalidOperationException($"the query on {journal.Name} gave {count} events, expected {events}");
                cpu.Add(events / (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
            });
            // On a shared machine wall-clock rates depend on the load; events per CPU-second of this process do less.
            cpu.Sort();
            Console.WriteLine($"  {"  the same, per CPU-second of the process (all threads)",-58} {cpu[cpu.Count / 2],12:N0} /s");
            return result;
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task WriteTaggedAsync(Config config, int events)
    {
        var system = ActorSystem.Create("write", config);
        try
        {
            var done = Enumerable.Range(0, PersistenceIds).Select(i =>
            {
                var finished = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                int count = events / PersistenceIds + (i < events % PersistenceIds ? 1 : 0);
                system.ActorOf(Props.Create(() => new TaggedWriter($"sensor-{i}", count, finished))).Tell("go");
                return finished.Task;
            }).ToList();
            await Task.WhenAll(done);
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Persists <c>count</c> tagged events with PersistAll, a batch at a time.</summary>
    private sealed class TaggedWriter : ReceivePersistentActor
    {
        public TaggedWriter(string persistenceId, int count, TaskCompletionSource<int> done)
        {
            PersistenceId = persistenceId;
            int written = 0;
            void NextBatch()
            {
                int size = Math.Min(BatchSize, count - written);
                if (size == 0) { done.TrySetResult(written); return; }
                int stored = 0;
                PersistAll(Enumerable.Range(written, size).Select(i => new Tagged(new Stored(i), [Tag])), _ =>
                {
                    if (++stored < size) return;
                    written += size;
                    NextBatch();
                });
            }
            Command<string>(_ => NextBatch());
        }

        public override string PersistenceId { get; }
    }
}
