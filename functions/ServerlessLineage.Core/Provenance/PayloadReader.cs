namespace ServerlessLineage.Core.Provenance;

/// <summary>Reads varints from untrusted bytes; every malformation is an <see cref="InvalidDataException"/>.</summary>
internal ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _bytes;

    public PayloadReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _bytes.Length - Position;

    public readonly bool AtEnd => Position == _bytes.Length;

    public byte ReadByte()
    {
        if (Position >= _bytes.Length)
        {
            throw Truncated();
        }

        return _bytes[Position++];
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count > Remaining)
        {
            throw Truncated();
        }

        var slice = _bytes.Slice(Position, count);
        Position += count;
        return slice;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            // The tenth byte may carry only the top bit of a 64-bit value.
            if (shift == 63 && b > 1)
            {
                throw new InvalidDataException("Provenance data holds a varint that overflows 64 bits.");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("Provenance data holds a varint longer than 10 bytes.");
    }

    /// <summary>A varint that must fit a non-negative <see cref="long"/>.</summary>
    public long ReadNonNegative(string what)
    {
        var value = ReadVarint();
        if (value > long.MaxValue)
        {
            throw new InvalidDataException($"Provenance data holds {what} {value}, above the largest allowed value.");
        }

        return (long)value;
    }

    /// <summary>A varint that must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int ReadBounded(string what, int min, int max)
    {
        var value = ReadVarint();
        if (value < (ulong)min || value > (ulong)max)
        {
            throw new InvalidDataException($"Provenance data holds {what} {value}, outside [{min}, {max}].");
        }

        return (int)value;
    }

    public readonly void ExpectEnd(string what)
    {
        if (!AtEnd)
        {
            throw new InvalidDataException($"{what} has {Remaining} unexpected trailing byte(s).");
        }
    }

    private static InvalidDataException Truncated() => new("Provenance data is truncated.");
}
