using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MiniStore;

/// <summary>CRC-32C (Castagnoli), the checksum of every log line. Hardware-accelerated where the CPU has it.</summary>
public static class Crc32C
{
    // Optimized from the first call: it runs over every byte written and read, and until tiered compilation gets to
    // it (only after the process has been busy a while) its loop would run unoptimized, several times slower.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
