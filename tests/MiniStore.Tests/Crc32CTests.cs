using System.Text;

namespace MiniStore.Tests;

public sealed class Crc32CTests
{
    [Fact]
    public void Known_vector_123456789()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0xE3069283u, LogTestHelpers.SoftwareCrc32C("123456789"u8));
    }

    [Fact]
    public void Other_published_vectors()
    {
        Assert.Equal(0x00000000u, Crc32C.Compute(ReadOnlySpan<byte>.Empty));
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));                       // 32 bytes of zeros (RFC 3720)
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray())); // 32 bytes of 0xFF
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray())); // 0..31
    }

    [Fact]
    public void Matches_a_bitwise_reference_at_every_length_and_alignment()
    {
        var random = new Random(12345);
        byte[] data = new byte[300];
        random.NextBytes(data);
        for (int start = 0; start < 9; start++)
            for (int length = 0; start + length <= data.Length; length++)
            {
                var span = data.AsSpan(start, length);
                Assert.Equal(LogTestHelpers.SoftwareCrc32C(span), Crc32C.Compute(span));
            }
        Assert.NotEqual(Crc32C.Compute(Encoding.UTF8.GetBytes("abc")), Crc32C.Compute(Encoding.UTF8.GetBytes("abd")));
    }
}
