using System.Buffers;
using System.Text.Json;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>
/// Records (event records, index entries) written one after another with one <see cref="Utf8JsonWriter"/> into a
/// scratch buffer kept from call to call, then handed out as slices of one new array of exactly their size: one
/// allocation per write of many records, not one each, and none for growing. (A writer asks its output for 4 KiB
/// whenever a record outgrows the space left, so a fresh buffer per write grew to over 4 KiB for one 300-byte record.)
/// The array belongs to the records, so they may be copied later on another thread. One user at a time.
/// </summary>
internal sealed class JsonRecordBuffer
{
    private const int KeptCapacity = 1 << 20; // a scratch buffer grown beyond this by a huge write is not kept
    private ArrayBufferWriter<byte> _scratch = new(4096);
    private readonly List<int> _ends = new();
    private Utf8JsonWriter? _writer;

    /// <summary>Starts a new set of records, forgetting what the previous ones left (also a record that failed half-way); returns the writer for them.</summary>
    public Utf8JsonWriter Start()
    {
        if (_scratch.Capacity > KeptCapacity)
            _scratch = new ArrayBufferWriter<byte>(4096);
        _scratch.ResetWrittenCount();
        _ends.Clear();
        if (_writer is null)
            _writer = new Utf8JsonWriter(_scratch);
        else
            _writer.Reset(_scratch);
        return _writer;
    }

    /// <summary>Ends the record the writer has written; the writer is reset for the next one.</summary>
    public void EndRecord()
    {
        _writer!.Flush();
        _writer.Reset();
        _ends.Add(_scratch.WrittenCount);
    }

    /// <summary>Each record's JSON, in the order written, as slices of one new array.</summary>
    public ReadOnlyMemory<byte>[] Records()
    {
        ReadOnlyMemory<byte> written = _scratch.WrittenSpan.ToArray();
        var records = new ReadOnlyMemory<byte>[_ends.Count];
        for (int i = 0; i < records.Length; i++)
            records[i] = written[(i == 0 ? 0 : _ends[i - 1]).._ends[i]];
        return records;
    }
}
