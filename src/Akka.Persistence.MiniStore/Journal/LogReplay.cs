using Akka.Persistence.MiniStore.Storage;
using MiniStore;

namespace Akka.Persistence.MiniStore.Journal;

/// <summary>
/// One replay of a persistence id's log on its open handle. The batch holding the first wanted sequence number is
/// found by a binary search (a few lines read, whatever the log's length); from there each record's place in the
/// sequence is checked, and those in range are handed to Akka's recovery callback in blocks (of up to 256) rather than
/// one at a time as they are parsed: each call tells the recovering actor one message, and one at a time, parsing is
/// slower than the actor's handling, so its mailbox ran empty after nearly every event and each message scheduled it on
/// the thread pool again. What is pending is delivered also when the replay stops at damage: the events before it
/// reach the actor as they did one at a time.
/// </summary>
internal sealed class LogReplay(MiniStoreLog log, string persistenceId, long from, long to, long max, Func<LogRecord, EventRecord, IPersistentRepresentation> toPersistent, Action<IPersistentRepresentation> recoveryCallback)
{
    private const int MaxBlock = 256;
    private readonly EventLogCheck _check = new(log.Path, persistenceId);
    private readonly IPersistentRepresentation[] _pending = new IPersistentRepresentation[Math.Clamp(Math.Min(max, to - from + 1), 1, MaxBlock)];
    private int _count;
    private long _replayed;

    public void Run()
    {
        if (max <= 0 || from > to)
            return;
        // Line numbers are counted only for a read from the start; damage further on is still reported with its line.
        long start = from <= 1 ? 0 : log.Seek(_check.SequenceNrOf, from);
        try
        {
            foreach (var line in log.Read(start, start == 0 ? 1 : 0))
                Next(line);
        }
        finally
        {
            Deliver();
        }
    }

    private void Next(in LogRecord line)
    {
        // Records outside the replayed range are only checked for order, not parsed whole. Past the bounds the rest is
        // still checked, not skipped: the highest sequence number recovery was told is the last record's, which is only
        // true if the numbers increase to the end. Once the range is reached the next record is parsed whole at once.
        bool wanted = _check.PreviousSequenceNr + 1 >= from && _check.PreviousSequenceNr < to && _replayed < max;
        EventRecord? record = wanted ? _check.Read(line) : null;
        long sequenceNr = record?.SequenceNr ?? _check.Skip(line);
        if (sequenceNr < from || sequenceNr > to || _replayed >= max)
            return;
        var persistent = toPersistent(line, record ?? EventRecord.Read(line, log.Path));
        _pending[_count++] = persistent; // counted once read: a payload that fails leaves no empty slot
        _replayed++;
        if (_count == _pending.Length)
            Deliver();
    }

    private void Deliver()
    {
        // Emptied first: a callback that throws (an event adapter failing) ends the replay with its exception, and the
        // final delivery must not hand the block to Akka a second time.
        int count = _count;
        _count = 0;
        for (int i = 0; i < count; i++)
        {
            var persistent = _pending[i];
            _pending[i] = null!;
            recoveryCallback(persistent);
        }
    }
}
