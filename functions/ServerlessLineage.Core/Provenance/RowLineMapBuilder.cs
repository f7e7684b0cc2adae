namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// Builds a <see cref="RowLineMap"/> from source lines given in ordinal order, encoding each chunk as it fills so memory stays
/// near the encoded size (well under a byte per row when rows are mostly consecutive).
/// </summary>
public sealed class RowLineMapBuilder
{
    private readonly ProvenanceChunkOptions _options;
    private readonly List<ReadOnlyMemory<byte>> _payloads = [];
    private readonly List<ProvenanceIndexEntry> _entries = [];
    private readonly ByteBuffer _closedRuns = new();
    private bool _built;
    private long _lastLine;

    // The chunk being filled: closed runs are encoded in _closedRuns, the open run is kept as numbers until it closes.
    private long _chunkFirstKey;
    private int _chunkKeyCount;
    private int _chunkRunCount;
    private long _chunkFirstLine;
    private ulong _minimumStart;
    private long _openStart;
    private long _openLength;

    public RowLineMapBuilder(ProvenanceChunkOptions? options = null)
    {
        _options = options ?? ProvenanceChunkOptions.Default;
        _options.Validate();
    }

    /// <summary>Rows added so far; the next row gets this ordinal.</summary>
    public long Count { get; private set; }

    /// <summary>Appends the next cleaned row's 1-based source line; lines must strictly increase.</summary>
    public void Add(long sourceLine)
    {
        ThrowIfBuilt();
        if (sourceLine < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceLine), sourceLine, "Source lines are 1-based.");
        }

        if (Count > 0 && sourceLine <= _lastLine)
        {
            throw new ArgumentException(
                $"Source line {sourceLine} for row {Count} does not follow line {_lastLine} of the previous row; lines must strictly increase.",
                nameof(sourceLine));
        }

        if (Count == long.MaxValue)
        {
            throw new InvalidOperationException("The map holds the largest possible number of rows.");
        }

        if (_chunkKeyCount == 0)
        {
            StartChunk(sourceLine);
        }
        else if (sourceLine == _openStart + _openLength)
        {
            if (Fits(EncodedSize(runCount: _chunkRunCount, openRunBytes: OpenRunSize(_openLength + 1))))
            {
                _openLength++;
                _chunkKeyCount++;
            }
            else
            {
                FlushChunk();
                StartChunk(sourceLine);
            }
        }
        else
        {
            var newRunBytes = Varint.Size(GapBefore(sourceLine)) + 1;
            if (Fits(EncodedSize(runCount: _chunkRunCount + 1, openRunBytes: OpenRunSize(_openLength) + newRunBytes)))
            {
                CloseOpenRun();
                _openStart = sourceLine;
                _openLength = 1;
                _chunkRunCount++;
                _chunkKeyCount++;
            }
            else
            {
                FlushChunk();
                StartChunk(sourceLine);
            }
        }

        _lastLine = sourceLine;
        Count++;
    }

    /// <summary>Finishes the map; the builder cannot be used afterwards.</summary>
    public RowLineMap Build()
    {
        ThrowIfBuilt();
        if (_chunkKeyCount > 0)
        {
            FlushChunk();
        }

        _built = true;
        var index = new ProvenanceIndex(ProvenanceKind.RowLine, Count, [.. _entries]);
        return new RowLineMap(index, [.. _payloads]);
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("The map was already built; start a new builder.");
        }
    }

    private bool Fits(int size) => _chunkKeyCount < _options.MaxKeysPerChunk && size <= _options.MaxChunkBytes;

    // Size of the chunk payload with one more key, given the resulting run count and the bytes of the open run(s).
    private int EncodedSize(int runCount, int openRunBytes) =>
        Varint.Size((ulong)_chunkFirstKey) + Varint.Size((ulong)_chunkKeyCount + 1) + Varint.Size((ulong)runCount)
        + _closedRuns.Length + openRunBytes;

    private int OpenRunSize(long length) =>
        Varint.Size((ulong)_openStart - _minimumStart) + Varint.Size((ulong)length - 1);

    // Lines skipped between the open run's end and a new run starting at sourceLine (at least one).
    private ulong GapBefore(long sourceLine) => (ulong)sourceLine - (ulong)(_openStart + _openLength) - 1;

    private void StartChunk(long sourceLine)
    {
        _chunkFirstKey = Count;
        _chunkKeyCount = 1;
        _chunkRunCount = 1;
        _chunkFirstLine = sourceLine;
        _minimumStart = 1;
        _openStart = sourceLine;
        _openLength = 1;
        _closedRuns.Clear();
    }

    private void CloseOpenRun()
    {
        _closedRuns.WriteVarint((ulong)_openStart - _minimumStart);
        _closedRuns.WriteVarint((ulong)_openLength - 1);
        _minimumStart = (ulong)_openStart + (ulong)_openLength + 1;
    }

    private void FlushChunk()
    {
        CloseOpenRun();
        var payload = new ByteBuffer();
        payload.WriteVarint((ulong)_chunkFirstKey);
        payload.WriteVarint((ulong)_chunkKeyCount);
        payload.WriteVarint((ulong)_chunkRunCount);
        payload.Write(_closedRuns.Span);
        var bytes = payload.Span.ToArray();
        _entries.Add(new ProvenanceIndexEntry(_entries.Count, _chunkFirstKey, _chunkKeyCount, _chunkFirstLine, bytes.Length));
        _payloads.Add(bytes);
        _chunkKeyCount = 0;
        _chunkRunCount = 0;
        _closedRuns.Clear();
    }
}
