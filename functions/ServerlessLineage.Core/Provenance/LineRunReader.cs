namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// Decodes a <see cref="RowLineMap"/> chunk run by run, checking it as it goes.
/// Payload: first key, key count, run count, then per run (start - minimum possible start, length - 1); the minimum start is
/// line 1 for the first run and previous run end + 1 after it, so every run is maximal and lines strictly increase.
/// </summary>
internal ref struct LineRunReader
{
    private PayloadReader _reader;
    private int _runsLeft;
    private long _keysLeft;
    private ulong _minimumStart;

    public LineRunReader(ReadOnlySpan<byte> payload)
    {
        _reader = new PayloadReader(payload);
        FirstKey = _reader.ReadNonNegative("a first key");
        KeyCount = _reader.ReadBounded("a chunk key count", 1, int.MaxValue);
        if (KeyCount - 1 > long.MaxValue - FirstKey)
        {
            throw new InvalidDataException("A line chunk's keys run past the largest ordinal.");
        }

        _runsLeft = _reader.ReadBounded("a run count", 1, KeyCount);
        _keysLeft = KeyCount;
        _minimumStart = 1;
        RunFirstOrdinal = FirstKey;
    }

    public long FirstKey { get; }

    public int KeyCount { get; }

    /// <summary>Source line of the current run's first row.</summary>
    public long RunStart { get; private set; }

    public long RunLength { get; private set; }

    /// <summary>Ordinal of the current run's first row.</summary>
    public long RunFirstOrdinal { get; private set; }

    public readonly long RunLastLine => RunStart + RunLength - 1;

    public bool MoveNext()
    {
        if (_runsLeft == 0)
        {
            if (_keysLeft != 0)
            {
                throw new InvalidDataException($"A line chunk's runs cover {KeyCount - _keysLeft} keys but it declares {KeyCount}.");
            }

            _reader.ExpectEnd("A line chunk");
            return false;
        }

        var gap = _reader.ReadVarint();
        var lengthMinusOne = _reader.ReadVarint();
        if (_minimumStart > long.MaxValue || gap > long.MaxValue - _minimumStart)
        {
            throw new InvalidDataException("A line chunk holds a source line beyond the largest allowed value.");
        }

        var start = (long)(_minimumStart + gap);
        if (lengthMinusOne >= (ulong)_keysLeft)
        {
            throw new InvalidDataException($"A line chunk's runs cover more keys than the {KeyCount} it declares.");
        }

        if ((long)lengthMinusOne > long.MaxValue - start)
        {
            throw new InvalidDataException("A line chunk holds a source line beyond the largest allowed value.");
        }

        RunFirstOrdinal += RunLength;
        RunStart = start;
        RunLength = (long)lengthMinusOne + 1;
        _keysLeft -= RunLength;
        _runsLeft--;
        _minimumStart = (ulong)start + (ulong)RunLength + 1;
        return true;
    }
}
