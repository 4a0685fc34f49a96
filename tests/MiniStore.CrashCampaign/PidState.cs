using MiniStore.CrashWriter;

namespace MiniStore.CrashCampaign;

/// <summary>What the campaign knows of one persistence id across cycles.</summary>
internal sealed class PidState(string pid)
{
    public string Pid { get; } = pid;
    public ExpectedStream Expected { get; } = new(pid);
    /// <summary>Highest sequence number the writer acknowledged, in any cycle.</summary>
    public long MaxAcked { get; set; }
    /// <summary>Highest sequence number and deleted-to mark found by the last verification.</summary>
    public long Highest { get; set; }
    public long DeletedTo { get; set; }
    /// <summary>Where replay must end after a batch was torn, until the next verification.</summary>
    public long? HighestAfterTear { get; set; }
    public HashSet<long> DeleteRequested { get; } = new();
    public long DeletedToConfirmed { get; set; }
    /// <summary>Snapshots up to this sequence number were deleted (acknowledged) and must stay gone.</summary>
    public long SnapshotsDeletedUpTo { get; set; }
    public int DeletesConfirmed { get; set; }
    public int SnapshotDeletesConfirmed { get; set; }
    public int Snapshots { get; set; }
}

/// <summary>The events and checksums the schedule puts at each sequence number of one persistence id.</summary>
internal sealed class ExpectedStream(string pid)
{
    private readonly IEnumerator<CrashEvent> _events = CrashSchedule.Events(pid).GetEnumerator();
    private readonly List<CrashEvent> _list = new();
    private readonly List<ulong> _checksums = [CrashSchedule.InitialChecksum];

    public CrashEvent At(long seq)
    {
        Fill(seq);
        return _list[(int)seq - 1];
    }

    public ulong ChecksumAt(long seq)
    {
        Fill(seq);
        return _checksums[(int)seq];
    }

    private void Fill(long seq)
    {
        while (_list.Count < seq)
        {
            _events.MoveNext();
            _list.Add(_events.Current);
            _checksums.Add(CrashSchedule.Fold(_checksums[^1], _events.Current));
        }
    }
}
