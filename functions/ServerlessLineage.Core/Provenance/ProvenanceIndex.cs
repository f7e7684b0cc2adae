namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// The small index of a chunked provenance map: format version, kind, key count and one entry per chunk. Serialized on its own
/// (<see cref="ToBytes"/>) it is what a store keeps next to the chunks to find the one chunk a lookup needs.
/// </summary>
public sealed class ProvenanceIndex
{
    /// <summary>Version of the index and chunk payload encodings.</summary>
    public const byte FormatVersion = 1;

    private readonly ProvenanceIndexEntry[] _entries;

    internal ProvenanceIndex(ProvenanceKind kind, long keyCount, ProvenanceIndexEntry[] entries)
    {
        Kind = kind;
        KeyCount = keyCount;
        _entries = entries;
    }

    public ProvenanceKind Kind { get; }

    public long KeyCount { get; }

    public IReadOnlyList<ProvenanceIndexEntry> Entries => _entries;

    /// <summary>The chunk that holds <paramref name="key"/>, or -1 when the key is outside [0, <see cref="KeyCount"/>).</summary>
    public int FindChunkByKey(long key)
    {
        if (key < 0 || key >= KeyCount)
        {
            return -1;
        }

        return LastAtOrBelow(key, static e => e.FirstKey);
    }

    /// <summary>The last chunk whose <see cref="ProvenanceIndexEntry.FirstValue"/> is at most <paramref name="value"/>, or -1.</summary>
    public int FindChunkByFirstValue(long value) => LastAtOrBelow(value, static e => e.FirstValue);

    public byte[] ToBytes()
    {
        var buffer = new ByteBuffer();
        WriteTo(buffer);
        return buffer.Span.ToArray();
    }

    /// <summary>Parses bytes written by <see cref="ToBytes"/>; malformed input is an <see cref="InvalidDataException"/>.</summary>
    public static ProvenanceIndex Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new PayloadReader(bytes);
        var index = Read(ref reader);
        reader.ExpectEnd("The provenance index");
        return index;
    }

    internal void WriteTo(ByteBuffer buffer)
    {
        Span<byte> head = [FormatVersion, (byte)Kind];
        buffer.Write(head);
        buffer.WriteVarint((ulong)KeyCount);
        buffer.WriteVarint((ulong)_entries.Length);
        long previousFirstValue = 0;
        foreach (var entry in _entries)
        {
            // First key and chunk index follow from the order; first values never decrease, so store their deltas.
            buffer.WriteVarint((ulong)entry.KeyCount);
            buffer.WriteVarint((ulong)(entry.FirstValue - previousFirstValue));
            buffer.WriteVarint((ulong)entry.PayloadLength);
            previousFirstValue = entry.FirstValue;
        }
    }

    internal static ProvenanceIndex Read(ref PayloadReader reader)
    {
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Unsupported provenance format version {version}; this build reads version {FormatVersion}.");
        }

        var kindByte = reader.ReadByte();
        var kind = (ProvenanceKind)kindByte;
        if (!Enum.IsDefined(kind))
        {
            throw new InvalidDataException($"Unknown provenance kind {kindByte}.");
        }

        var keyCount = reader.ReadNonNegative("a key count");
        // Each entry takes at least three bytes, which bounds the allocation by the input size.
        var chunkCount = reader.ReadBounded("a chunk count", 0, reader.Remaining / 3);
        var entries = new ProvenanceIndexEntry[chunkCount];
        long firstKey = 0;
        long firstValue = 0;
        for (var i = 0; i < chunkCount; i++)
        {
            var chunkKeys = reader.ReadBounded("a chunk key count", 1, int.MaxValue);
            var delta = reader.ReadNonNegative("a first-value delta");
            if (delta > long.MaxValue - firstValue)
            {
                throw new InvalidDataException("The provenance index holds first values beyond the largest allowed value.");
            }

            firstValue += delta;
            var payloadLength = reader.ReadBounded("a chunk payload length", 1, int.MaxValue);
            if (chunkKeys > keyCount - firstKey)
            {
                throw new InvalidDataException($"The provenance index's chunks hold more keys than its key count {keyCount}.");
            }

            entries[i] = new ProvenanceIndexEntry(i, firstKey, chunkKeys, firstValue, payloadLength);
            firstKey += chunkKeys;
        }

        if (firstKey != keyCount)
        {
            throw new InvalidDataException($"The provenance index's chunks hold {firstKey} keys but its key count is {keyCount}.");
        }

        return new ProvenanceIndex(kind, keyCount, entries);
    }

    private int LastAtOrBelow(long target, Func<ProvenanceIndexEntry, long> selector)
    {
        int lo = 0, hi = _entries.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (selector(_entries[mid]) <= target)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
