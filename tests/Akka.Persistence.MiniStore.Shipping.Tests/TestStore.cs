using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

/// <summary>Temporary directories and looks into a store's files.</summary>
internal sealed class TestStore : IDisposable
{
    public TestStore()
    {
        Root = Path.Combine(Path.GetTempPath(), "ministore-shipping-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }
    public string Device => Path.Combine(Root, "device");
    public string TargetDirectory => Path.Combine(Root, "target");

    /// <summary>The device's order of events: its event index, entries tagged "all".</summary>
    public static List<(string Id, long Seq)> DeviceOrder(StoreLayout layout)
    {
        using var index = MiniStoreLog.Open(layout.EventIndex, readOnly: true);
        return index.Read().Select(line => IndexEntry.Read(line, layout.EventIndex)).Where(e => e.HasTag("all")).Select(e => (e.PersistenceId, e.SequenceNr)).ToList();
    }

    /// <summary>The sequence numbers in a persistence id's event log, as stored.</summary>
    public static List<long> LoggedSequenceNrs(StoreLayout layout, string id)
    {
        string path = layout.EventLog(id);
        using var log = MiniStoreLog.Open(path, readOnly: true);
        var check = new EventLogCheck(path, id);
        return log.Read().Select(line => check.Read(line).SequenceNr).ToList();
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
