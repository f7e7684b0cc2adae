using System.Numerics;

namespace ServerlessLineage.Core.Provenance;

/// <summary>Unsigned LEB128 varints and zig-zag mapping, the only number encoding in provenance payloads.</summary>
internal static class Varint
{
    public const int MaxLength = 10;

    public static int Size(ulong value) => (BitOperations.Log2(value | 1) / 7) + 1;

    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
