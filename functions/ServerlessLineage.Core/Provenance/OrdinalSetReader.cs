namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// Decodes a <see cref="RowSetMap"/> chunk key by key, checking it as it goes.
/// Payload: first key, key count, then per key: ordinal count; when non-empty, zig-zag(first ordinal - previous set's first
/// ordinal in this chunk, 0 at the chunk start), then (ordinal - previous ordinal - 1) for the rest.
/// </summary>
internal ref struct OrdinalSetReader
{
    private PayloadReader _reader;
    private long _previousFirst;
    private int _keysLeft;
    private long[] _buffer;

    public OrdinalSetReader(ReadOnlySpan<byte> payload)
    {
        _reader = new PayloadReader(payload);
        FirstKey = _reader.ReadNonNegative("a first key");
        KeyCount = _reader.ReadBounded("a chunk key count", 1, int.MaxValue);
        if (KeyCount - 1 > long.MaxValue - FirstKey)
        {
            throw new InvalidDataException("A set chunk's keys run past the largest ordinal.");
        }

        _keysLeft = KeyCount;
        _buffer = [];
        Key = FirstKey - 1;
    }

    public long FirstKey { get; }

    public int KeyCount { get; }

    /// <summary>Key of the current set.</summary>
    public long Key { get; private set; }

    /// <summary>The current set; valid until the next <see cref="MoveNext"/>.</summary>
    public ReadOnlySpan<long> Current { get; private set; }

    public bool MoveNext()
    {
        if (_keysLeft == 0)
        {
            _reader.ExpectEnd("A set chunk");
            return false;
        }

        // Every ordinal takes at least one byte, which bounds the allocation by the input size.
        var count = _reader.ReadBounded("an ordinal count", 0, _reader.Remaining);
        if (_buffer.Length < count)
        {
            _buffer = new long[Math.Max(count, Math.Min(_buffer.Length * 2, _reader.Remaining))];
        }

        if (count > 0)
        {
            var delta = Varint.UnZigZag(_reader.ReadVarint());
            if (delta > 0 ? delta > long.MaxValue - _previousFirst : _previousFirst + delta < 0)
            {
                throw new InvalidDataException("A set chunk holds an ordinal outside [0, the largest allowed value].");
            }

            var value = _previousFirst + delta;
            _previousFirst = value;
            _buffer[0] = value;
            for (var i = 1; i < count; i++)
            {
                var step = _reader.ReadVarint();
                if (step >= (ulong)(long.MaxValue - value))
                {
                    throw new InvalidDataException("A set chunk holds an ordinal beyond the largest allowed value.");
                }

                value += (long)step + 1;
                _buffer[i] = value;
            }
        }

        Current = _buffer.AsSpan(0, count);
        Key++;
        _keysLeft--;
        return true;
    }
}
