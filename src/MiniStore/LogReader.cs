using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>
/// Reads a log forward, one atomic batch (a "frame" of lines ending in a line without "more") at a time, and yields
/// the records of complete frames only. A damaged line followed by more data is corruption and throws
/// <see cref="CorruptLogException"/>. Whatever follows the last complete frame (a line without its '\n', a damaged
/// last line, or an unfinished batch) is a torn tail: it is not yielded and is described by <see cref="Tail"/>. A last
/// line that is whole, well-formed JSON and fails its checksum was altered, not torn (<see cref="DecodedLine.IsAltered"/>): it throws too.
/// </summary>
internal sealed class LogReader : IDisposable
{
    private const int InitialBufferSize = 64 * 1024;
    private const int MinimumBufferSize = 4 * 1024;

    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly long _endOffset;
    private readonly int _maxLineLength;
    private byte[] _buffer;
    private long _bufferOffset; // file offset of _buffer[0]
    private int _end;           // end of valid data
    private bool _eof;

    public LogReader(string path, MiniStoreOptions options, long startOffset = 0, long startLineNumber = 1, long endOffset = long.MaxValue)
    {
        _path = path;
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        _endOffset = Math.Min(endOffset, RandomAccess.GetLength(_file));
        _maxLineLength = options.MaxLineLength;
        // A small log gets a buffer its size (a fleet of actors recovers many small logs at once), a large one 64 KiB to start.
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(_endOffset - startOffset + 1, MinimumBufferSize, InitialBufferSize));
        _bufferOffset = startOffset;
        CommittedLength = startOffset;
        NextLineNumber = startLineNumber;
    }

    /// <summary>Offset just after the last complete frame read so far.</summary>
    public long CommittedLength { get; private set; }
    /// <summary>Line number the next frame starts at; 0 throughout when the read started at an offset whose line was not known.</summary>
    public long NextLineNumber { get; private set; }
    /// <summary>Set when reading ended at a torn tail rather than at a clean end of file.</summary>
    public TornTail? Tail { get; private set; }

    public async IAsyncEnumerable<LogRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var frame = new List<(long RecordOffset, int RecordLength, long LineOffset)>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            frame.Clear();
            long scan = CommittedLength; // absolute offset of the next line to decode
            while (true)
            {
                int lineLength = _buffer.AsSpan(Index(scan), _end - Index(scan)).IndexOf((byte)'\n');
                if (lineLength < 0)
                {
                    if (_end - Index(scan) > _maxLineLength)
                        throw Damage(scan, frame.Count, $"line is longer than the {_maxLineLength}-byte limit");
                    if (_eof)
                    {
                        if (scan < BufferEnd)
                        {
                            RefuseForeignTail(scan, frame.Count);
                            EndAtTornTail($"last line has no line break ({BufferEnd - scan} bytes): the write was cut short");
                        }
                        else if (frame.Count > 0)
                            EndAtTornTail($"batch of {frame.Count}+ lines is unfinished: its last line is missing");
                        yield break;
                    }
                    await FillAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // A line that happened to fit in the buffer whole is held to the limit too, not only one still missing its '\n'.
                if (lineLength > _maxLineLength)
                    throw Damage(scan, frame.Count, $"line is longer than the {_maxLineLength}-byte limit");
                var decoded = LineDecoder.Decode(_buffer.AsSpan(Index(scan), lineLength));
                if (!decoded.IsValid)
                {
                    long next = scan + lineLength + 1;
                    if (!await IsAtEndAsync(next, cancellationToken).ConfigureAwait(false))
                        throw Damage(scan, frame.Count, decoded.Error + LineDecoder.NotATornTail);
                    if (decoded.IsAltered)
                        throw Damage(scan, frame.Count, decoded.Error!);
                    RefuseForeignTail(scan, frame.Count);
                    EndAtTornTail($"last line is damaged: {decoded.Error}");
                    yield break;
                }
                frame.Add((scan + decoded.RecordStart, decoded.RecordLength, scan));
                scan += lineLength + 1;
                if (!decoded.More)
                    break;
            }

            for (int i = 0; i < frame.Count; i++)
            {
                var (recordOffset, recordLength, lineOffset) = frame[i];
                yield return new LogRecord(_buffer.AsMemory(Index(recordOffset), recordLength), LineNumber(i), lineOffset);
            }
            if (NextLineNumber > 0)
                NextLineNumber += frame.Count;
            CommittedLength = scan;
        }
    }

    private long BufferEnd => _bufferOffset + _end;

    private int Index(long offset) => (int)(offset - _bufferOffset);

    private void RefuseForeignTail(long lineStart, int frameIndex)
    {
        var start = _buffer.AsSpan(Index(lineStart), (int)Math.Min(LineEncoder.CrcPrefix.Length, BufferEnd - lineStart));
        if (!LineDecoder.MayBeCutShort(start))
            throw Damage(lineStart, frameIndex, LineDecoder.NotCutShort);
    }

    /// <summary>Damage at a line of the frame being read; its line number is counted by the exception when this reader does not know it.</summary>
    private CorruptLogException Damage(long lineStart, int frameIndex, string problem) =>
        new(_path, LineNumber(frameIndex), lineStart, problem);

    /// <summary>The line number of a line of the current frame, or 0 when the read started at an offset of unknown line.</summary>
    private long LineNumber(int frameIndex) => NextLineNumber > 0 ? NextLineNumber + frameIndex : 0;

    private void EndAtTornTail(string reason)
    {
        long tornLength = _endOffset - CommittedLength;
        Tail = new TornTail(CommittedLength, tornLength, NextLineNumber, reason);
    }

    private async ValueTask<bool> IsAtEndAsync(long offset, CancellationToken cancellationToken)
    {
        while (BufferEnd <= offset && !_eof)
            await FillAsync(cancellationToken).ConfigureAwait(false);
        return BufferEnd <= offset;
    }

    /// <summary>Reads more of the file, first dropping consumed bytes (never those of the current frame).</summary>
    private ValueTask FillAsync(CancellationToken cancellationToken)
    {
        int keepFrom = Index(CommittedLength);
        if (keepFrom > 0)
        {
            Buffer.BlockCopy(_buffer, keepFrom, _buffer, 0, _end - keepFrom);
            _end -= keepFrom;
            _bufferOffset += keepFrom;
        }
        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        long position = BufferEnd;
        int wanted = (int)Math.Min(_buffer.Length - _end, _endOffset - position);
        // A plain read: .NET has no asynchronous file reads on Linux (ReadAsync runs this same read on a pool thread),
        // and the hop to that thread and back for every buffer costs more than the read from the page cache.
        cancellationToken.ThrowIfCancellationRequested();
        int read = wanted <= 0 ? 0 : RandomAccess.Read(_file, _buffer.AsSpan(_end, wanted), position);
        _end += read;
        if (read == 0)
            _eof = true;
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _file.Dispose();
        var buffer = Interlocked.Exchange(ref _buffer, Array.Empty<byte>());
        if (buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
