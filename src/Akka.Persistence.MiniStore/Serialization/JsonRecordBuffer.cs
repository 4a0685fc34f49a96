using System.Buffers;
using System.Text.Json;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>
/// Records written one after another into one new array, handed out as slices of it: one allocation for a write of
/// many records (event records, index entries) rather than one each. The array belongs to the records, so it may be
/// copied later on another thread.
/// </summary>
internal sealed class JsonRecordBuffer(int count, int bytesPerRecord)
{
    private readonly ArrayBufferWriter<byte> _output = new(Math.Max(1, count) * bytesPerRecord);
    private readonly int[] _ends = new int[count];
    private int _count;

    /// <summary>Where the records are written.</summary>
    public IBufferWriter<byte> Output => _output;

    /// <summary>Ends the record <paramref name="writer"/> (writing to <see cref="Output"/>) has written; the writer is reset for the next one.</summary>
    public void EndRecord(Utf8JsonWriter writer)
    {
        writer.Flush();
        writer.Reset();
        _ends[_count++] = _output.WrittenCount;
    }

    /// <summary>Each record's JSON, in the order written.</summary>
    public ReadOnlyMemory<byte>[] Records()
    {
        var written = _output.WrittenMemory; // sliced only now: the buffer may have grown into a new array meanwhile
        var records = new ReadOnlyMemory<byte>[_count];
        for (int i = 0; i < _count; i++)
            records[i] = written[(i == 0 ? 0 : _ends[i - 1]).._ends[i]];
        return records;
    }
}
