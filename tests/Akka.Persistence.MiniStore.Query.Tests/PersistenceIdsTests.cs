using Xunit;
using Xunit.Abstractions;

namespace Akka.Persistence.MiniStore.Query.Tests;

/// <summary>The behaviours of Akka.Persistence.TCK's CurrentPersistenceIdsSpec and PersistenceIdsSpec.</summary>
public sealed class PersistenceIdsTests(ITestOutputHelper output) : QuerySpec(output)
{
    [Fact]
    public void Current_query_finds_every_id_once_and_completes()
    {
        Write("a", "a-1", "a-2");
        Write("b", "b-1");
        Write("counter/1 ÿ:..", "c-1"); // an id whose file name is not the id: ids come from the records
        var probe = Run(Queries.CurrentPersistenceIds());
        probe.Request(10);
        Assert.Equal(["a", "b", "counter/1 ÿ:.."], probe.ExpectNextN(3).Order(StringComparer.Ordinal));
        probe.ExpectComplete();
    }

    [Fact]
    public void Current_query_delivers_many_ids_under_back_pressure()
    {
        for (int i = 0; i < 50; i++)
            Write($"id-{i}", "e");
        var probe = Run(Queries.CurrentPersistenceIds());
        probe.Request(10);
        Assert.Equal(10, probe.ExpectNextN(10).Count());
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Request(100);
        Assert.Equal(40, probe.ExpectNextN(40).Count());
        probe.ExpectComplete();
    }

    [Fact]
    public void Current_query_of_an_empty_journal_completes()
    {
        var probe = Run(Queries.CurrentPersistenceIds());
        probe.Request(1);
        probe.ExpectComplete();
    }

    [Fact]
    public void Live_query_finds_existing_then_new_ids()
    {
        Write("a", "a-1");
        var probe = Run(Queries.PersistenceIds());
        probe.Request(10);
        probe.ExpectNext("a");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Write("b", "b-1");
        probe.ExpectNext("b");
        Write("a", "a-2"); // a known id is not repeated
        Write("c", "c-1");
        probe.ExpectNext("c");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        probe.Cancel();
    }
}
