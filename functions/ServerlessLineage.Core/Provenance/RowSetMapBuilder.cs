namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// Builds a <see cref="RowSetMap"/> from sets given in key order (key = ordinal of the set's position), encoding each chunk as
/// it fills.
/// </summary>
public sealed class RowSetMapBuilder
{
    private readonly ProvenanceChunkOptions _options;
    private readonly List<ReadOnlyMemory<byte>> _payloads = [];
    private readonly List<ProvenanceIndexEntry> _entries = [];
    private readonly ByteBuffer _chunkSets = new();
    private readonly ByteBuffer _scratch = new();
    private bool _built;

    private long _chunkFirstKey;
    private int _chunkKeyCount;
    private long _previousFirst;

    public RowSetMapBuilder(ProvenanceChunkOptions? options = null)
    {
        _options = options ?? ProvenanceChunkOptions.Default;
        _options.Validate();
    }

    /// <summary>Sets added so far; the next set gets this key.</summary>
    public long Count { get; private set; }

    /// <summary>Appends the next key's set: non-negative ordinals in strictly increasing order (may be empty).</summary>
    public void Add(ReadOnlySpan<long> sortedOrdinals)
    {
        if (_built)
        {
            throw new InvalidOperationException("The map was already built; start a new builder.");
        }

        for (var i = 0; i < sortedOrdinals.Length; i++)
        {
            if (sortedOrdinals[i] < 0)
            {
                throw new ArgumentException($"Set {Count} holds the negative ordinal {sortedOrdinals[i]}.", nameof(sortedOrdinals));
            }

            if (i > 0 && sortedOrdinals[i] <= sortedOrdinals[i - 1])
            {
                throw new ArgumentException(
                    $"Set {Count} is not strictly increasing: {sortedOrdinals[i]} follows {sortedOrdinals[i - 1]}.", nameof(sortedOrdinals));
            }
        }

        if (Count == long.MaxValue)
        {
            throw new InvalidOperationException("The map holds the largest possible number of keys.");
        }

        if (_chunkKeyCount > 0)
        {
            Encode(sortedOrdinals, _previousFirst);
            if (_chunkKeyCount < _options.MaxKeysPerChunk && SizeWithScratch() <= _options.MaxChunkBytes)
            {
                Append(sortedOrdinals);
                return;
            }

            FlushChunk();
        }

        _chunkFirstKey = Count;
        Encode(sortedOrdinals, previousFirst: 0);
        if (SizeWithScratch() > _options.MaxChunkBytes)
        {
            throw new ArgumentException(
                $"Set {Count} of {sortedOrdinals.Length} ordinals encodes to {SizeWithScratch()} bytes, more than the chunk limit of "
                + $"{_options.MaxChunkBytes} bytes.",
                nameof(sortedOrdinals));
        }

        _previousFirst = 0;
        Append(sortedOrdinals);
    }

    /// <summary>Finishes the map; the builder cannot be used afterwards.</summary>
    public RowSetMap Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("The map was already built; start a new builder.");
        }

        if (_chunkKeyCount > 0)
        {
            FlushChunk();
        }

        _built = true;
        var index = new ProvenanceIndex(ProvenanceKind.RowSet, Count, [.. _entries]);
        return new RowSetMap(index, [.. _payloads]);
    }

    private int SizeWithScratch() =>
        Varint.Size((ulong)_chunkFirstKey) + Varint.Size((ulong)_chunkKeyCount + 1) + _chunkSets.Length + _scratch.Length;

    private void Encode(ReadOnlySpan<long> ordinals, long previousFirst)
    {
        _scratch.Clear();
        _scratch.WriteVarint((ulong)ordinals.Length);
        if (ordinals.IsEmpty)
        {
            return;
        }

        _scratch.WriteVarint(Varint.ZigZag(ordinals[0] - previousFirst));
        for (var i = 1; i < ordinals.Length; i++)
        {
            _scratch.WriteVarint((ulong)(ordinals[i] - ordinals[i - 1] - 1));
        }
    }

    private void Append(ReadOnlySpan<long> ordinals)
    {
        _chunkSets.Write(_scratch.Span);
        if (!ordinals.IsEmpty)
        {
            _previousFirst = ordinals[0];
        }

        _chunkKeyCount++;
        Count++;
    }

    private void FlushChunk()
    {
        var payload = new ByteBuffer();
        payload.WriteVarint((ulong)_chunkFirstKey);
        payload.WriteVarint((ulong)_chunkKeyCount);
        payload.Write(_chunkSets.Span);
        var bytes = payload.Span.ToArray();
        _entries.Add(new ProvenanceIndexEntry(_entries.Count, _chunkFirstKey, _chunkKeyCount, 0, bytes.Length));
        _payloads.Add(bytes);
        _chunkKeyCount = 0;
        _chunkSets.Clear();
    }
}
