using System.Buffers;
using System.Text.Json;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>
/// Records written one after another into one array rented from the shared pool, handed out as slices of it: one
/// buffer for a write of many records (event records, index entries) rather than an array each, and none new for a
/// write of thousands (it would be a large-object-heap array, kept alive and promoted by every collection until the
/// write is stored). The slices are valid until <see cref="Dispose"/>, which the owner calls only once the engine has
/// copied them (its append's task completed), on whatever thread.
/// </summary>
internal sealed class JsonRecordBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;
    private int[] _ends;
    private int _count;

    public JsonRecordBuffer(int count, int bytesPerRecord)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, count) * bytesPerRecord);
        _ends = new int[Math.Max(1, count)];
    }

    /// <summary>How many records are ended.</summary>
    public int Count => _count;

    /// <summary>Ends the record <paramref name="writer"/> (writing to this buffer) has written; the writer is reset for the next one.</summary>
    public void EndRecord(Utf8JsonWriter writer)
    {
        writer.Flush();
        writer.Reset();
        if (_count == _ends.Length)
            Array.Resize(ref _ends, _ends.Length * 2);
        _ends[_count++] = _written;
    }

    /// <summary>Drops the records after the first <paramref name="count"/>, and any unfinished one (of a payload that failed half-way).</summary>
    public void Truncate(int count)
    {
        _count = count;
        _written = count == 0 ? 0 : _ends[count - 1];
    }

    /// <summary>The JSON of record <paramref name="index"/>, valid until the next record is written.</summary>
    public ReadOnlySpan<byte> Record(int index) => _buffer.AsSpan(Start(index), _ends[index] - Start(index));

    /// <summary>Each record's JSON, in the order written.</summary>
    public ReadOnlyMemory<byte>[] Records()
    {
        var records = new ReadOnlyMemory<byte>[_count];
        for (int i = 0; i < _count; i++)
            records[i] = _buffer.AsMemory(Start(i), _ends[i] - Start(i));
        return records;
    }

    private int Start(int index) => index == 0 ? 0 : _ends[index - 1];

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Grow(sizeHint); // before _buffer is read: it may replace it
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Grow(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Makes room for <paramref name="sizeHint"/> more bytes (at least one).</summary>
    private void Grow(int sizeHint)
    {
        int needed = _written + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 2 * _buffer.Length));
            _buffer.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }

    /// <summary>Gives the array back to the pool: the slices handed out must no longer be read.</summary>
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _count = _written = 0;
    }
}
