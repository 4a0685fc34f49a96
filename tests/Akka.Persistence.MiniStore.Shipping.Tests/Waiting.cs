using Akka.Persistence.MiniStore.Storage;
using Microsoft.Win32.SafeHandles;
using MiniStore;
using Xunit;

namespace Akka.Persistence.MiniStore.Shipping.Tests;

internal static class Waiting
{
    /// <summary>Waits (polling, 2 minutes at most) until the position log says every event of the device's index is shipped.</summary>
    public static async Task UntilShippedAsync(StoreLayout layout, string positionPath, string because = "")
    {
        long last = 0;
        for (int i = 0; i < 1200; i++)
        {
            last = LastOrdering(layout);
            if (MiniStoreLog.Exists(positionPath) && ShippedPositions.Read(positionPath).Ordering >= last)
                return;
            await Task.Delay(100);
        }
        Assert.Fail($"the shipper did not reach ordering {last} within 2 minutes (at {ShippedPositions.Read(positionPath).Ordering}) {because}");
    }

    public static long LastOrdering(StoreLayout layout)
    {
        using var index = MiniStoreLog.Open(layout.EventIndex, readOnly: true);
        return index.LastRecordAtOpen is { } last ? IndexEntry.Read(last, layout.EventIndex).Ordering : 0;
    }

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 1200 && !condition(); i++)
            await Task.Delay(100);
        Assert.True(condition(), what);
    }
}

/// <summary>A disk that can be taken away: every sync fails while <see cref="Down"/> (the MiniStore target's writes then fail and are cut back off).</summary>
internal sealed class SwitchableSync : IFileSync
{
    public volatile bool Down;

    public void SyncFile(SafeFileHandle file)
    {
        if (Down) throw new IOException("simulated outage: the target's disk is away");
        OsFileSync.Instance.SyncFile(file);
    }

    public void SyncDirectory(string directory)
    {
        if (Down) throw new IOException("simulated outage: the target's disk is away");
        OsFileSync.Instance.SyncDirectory(directory);
    }
}
