using Microsoft.Win32.SafeHandles;

namespace MiniStore;

/// <summary>A whole line found by <see cref="LineLocator"/>; <see cref="Content"/> is valid until the locator's next call.</summary>
internal readonly struct LocatedLine(long start, ReadOnlyMemory<byte> content, bool hasNewline)
{
    /// <summary>File offset of the line's first byte.</summary>
    public long Start { get; } = start;
    /// <summary>The line's bytes before its '\n'.</summary>
    public ReadOnlyMemory<byte> Content { get; } = content;
    /// <summary>False for a last line cut short before its '\n'.</summary>
    public bool HasNewline { get; } = hasNewline;
    /// <summary>Offset just after the line (after its '\n').</summary>
    public long End => Start + Content.Length + (HasNewline ? 1 : 0);
}

/// <summary>
/// Finds the whole line around any byte offset of a log without reading the log from its start: records hold no raw
/// line break, so the bytes between two '\n' are one line. A window around the offset is read and widened until both
/// ends of the line are in it. Used to check a log's tail at open and to seek by key; bytes at or after the limit
/// given are never read.
/// </summary>
internal sealed class LineLocator
{
    private const int InitialReach = 4096;

    private readonly SafeFileHandle _file;
    private readonly string _path;
    private readonly long _limit;
    private readonly int _maxLineLength;
    private byte[] _window = [];
    private long _windowStart;
    private int _windowLength;

    public LineLocator(SafeFileHandle file, string path, long limit, MiniStoreOptions options)
    {
        _file = file;
        _path = path;
        _limit = limit;
        _maxLineLength = options.MaxLineLength;
    }

    /// <summary>The line holding byte <paramref name="position"/> (a '\n' belongs to the line it ends); position is below the limit.</summary>
    public async ValueTask<LocatedLine> LineContainingAsync(long position, CancellationToken cancellationToken)
    {
        long before = InitialReach, after = InitialReach;
        while (true)
        {
            long from = Math.Max(0, position - before), to = Math.Min(_limit, position + after);
            await LoadAsync(from, to, cancellationToken).ConfigureAwait(false);
            var bytes = _window.AsSpan((int)(from - _windowStart), (int)(to - from));
            int at = (int)(position - from);
            int previousBreak = bytes[..at].LastIndexOf((byte)'\n');
            int ownBreak = bytes[at..].IndexOf((byte)'\n');
            bool startFound = previousBreak >= 0 || from == 0, endFound = ownBreak >= 0 || to == _limit;
            long start = previousBreak >= 0 ? from + previousBreak + 1 : from;
            long end = ownBreak >= 0 ? position + ownBreak : to; // exclusive of the '\n'
            if (end - start > _maxLineLength)
                throw new CorruptLogException(_path, 0, startFound ? start : await LineStartBeforeAsync(from, cancellationToken).ConfigureAwait(false),
                    $"line is longer than the {_maxLineLength}-byte limit");
            if (startFound && endFound)
                return new LocatedLine(start, _window.AsMemory((int)(start - _windowStart), (int)(end - start)), ownBreak >= 0);
            if (!startFound) before *= 2;
            if (!endFound) after *= 2;
        }
    }

    /// <summary>For the report of an over-long line: where the line holding the byte before <paramref name="position"/> starts, found without keeping the line.</summary>
    private async ValueTask<long> LineStartBeforeAsync(long position, CancellationToken cancellationToken)
    {
        while (position > 0)
        {
            long from = Math.Max(0, position - 64 * 1024);
            await LoadAsync(from, position, cancellationToken).ConfigureAwait(false);
            int lineBreak = _window.AsSpan((int)(from - _windowStart), (int)(position - from)).LastIndexOf((byte)'\n');
            if (lineBreak >= 0)
                return from + lineBreak + 1;
            position = from;
        }
        return 0;
    }

    private async ValueTask LoadAsync(long from, long to, CancellationToken cancellationToken)
    {
        if (from >= _windowStart && to <= _windowStart + _windowLength)
            return;
        int length = (int)(to - from);
        if (_window.Length < length)
            _window = new byte[Math.Max(length, 2 * InitialReach)];
        int read = 0;
        while (read < length)
        {
            int n = await RandomAccess.ReadAsync(_file, _window.AsMemory(read, length - read), from + read, cancellationToken).ConfigureAwait(false);
            if (n == 0)
                throw new IOException($"Log '{_path}' became shorter than {to} bytes while it was being read.");
            read += n;
        }
        _windowStart = from;
        _windowLength = length;
    }
}
