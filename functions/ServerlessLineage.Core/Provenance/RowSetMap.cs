namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// Key ordinal -> sorted set of ordinals (example -> cleaned rows it was built from, or the inverse), stored as delta-encoded
/// sets in self-contained chunks. A lookup decodes one chunk.
/// </summary>
public sealed class RowSetMap : ProvenanceMap
{
    /// <summary>Default cap on ordinals held in memory at once while inverting (32 MiB of longs).</summary>
    public const int DefaultInversionBufferOrdinals = 4 * 1024 * 1024;

    internal RowSetMap(ProvenanceIndex index, ReadOnlyMemory<byte>[] payloads)
        : base(index, payloads)
    {
    }

    internal delegate void SetVisitor(long key, ReadOnlySpan<long> ordinals);

    /// <summary>The sorted ordinals of <paramref name="key"/>'s set.</summary>
    public long[] GetOrdinals(long key)
    {
        var chunk = Index.FindChunkByKey(key);
        if (chunk < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(key), key, $"The map holds keys 0..{Count - 1}.");
        }

        return GetOrdinals(Payload(chunk), key);
    }

    /// <summary>The set of <paramref name="key"/> from one chunk's payload alone (for a store that fetched one chunk).</summary>
    public static long[] GetOrdinals(ReadOnlySpan<byte> chunkPayload, long key)
    {
        var sets = new OrdinalSetReader(chunkPayload);
        if (key < sets.FirstKey || key - sets.FirstKey >= sets.KeyCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(key), key, $"The chunk holds keys {sets.FirstKey}..{sets.FirstKey + sets.KeyCount - 1}.");
        }

        while (sets.MoveNext())
        {
            if (sets.Key == key)
            {
                return sets.Current.ToArray();
            }
        }

        throw new InvalidDataException("A set chunk ended before the requested key.");
    }

    /// <summary>Every set in key order.</summary>
    public IEnumerable<long[]> EnumerateSets()
    {
        for (var chunk = 0; chunk < Index.Entries.Count; chunk++)
        {
            foreach (var set in DecodeChunk(chunk))
            {
                yield return set;
            }
        }
    }

    /// <summary>
    /// The inverse map: for each target ordinal 0..<paramref name="targetCount"/>-1 (e.g. every cleaned row), the sorted keys
    /// whose sets contain it (the examples that used the row); unused targets get an empty set. One pass counts references,
    /// then fill passes each hold at most <paramref name="bufferOrdinals"/> ordinals (more only for a single larger set).
    /// </summary>
    public RowSetMap Invert(long targetCount, ProvenanceChunkOptions? options = null, int bufferOrdinals = DefaultInversionBufferOrdinals)
    {
        if (targetCount < 0 || targetCount > Array.MaxLength - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(targetCount), targetCount, $"Inversion supports 0..{Array.MaxLength - 1} targets.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(bufferOrdinals, 1);
        var cursors = new int[targetCount];
        Visit((key, ordinals) =>
        {
            foreach (var ordinal in ordinals)
            {
                if (ordinal >= targetCount)
                {
                    throw new ArgumentException($"Set {key} holds ordinal {ordinal}, outside the {targetCount} targets.", nameof(targetCount));
                }

                cursors[ordinal] = checked(cursors[ordinal] + 1);
            }
        });

        var builder = new RowSetMapBuilder(options);
        var keys = Array.Empty<long>();
        long windowStart = 0;
        while (windowStart < targetCount)
        {
            // Turn the window's counts into start offsets; the fill pass advances each to its end offset.
            var windowEnd = windowStart;
            var total = 0;
            while (windowEnd < targetCount && (windowEnd == windowStart || (long)total + cursors[windowEnd] <= bufferOrdinals))
            {
                var count = cursors[windowEnd];
                cursors[windowEnd] = total;
                total += count;
                windowEnd++;
            }

            if (keys.Length < total)
            {
                keys = new long[Math.Max(total, Math.Min(bufferOrdinals, (long)keys.Length * 2))];
            }

            var start = windowStart;
            var end = windowEnd;
            var buffer = keys;
            Visit((key, ordinals) =>
            {
                foreach (var ordinal in ordinals)
                {
                    if (ordinal >= start && ordinal < end)
                    {
                        buffer[cursors[ordinal]++] = key;
                    }
                }
            });

            // Keys were visited in increasing order, so every target's keys are already sorted.
            var from = 0;
            for (var target = windowStart; target < windowEnd; target++)
            {
                builder.Add(keys.AsSpan(from, cursors[target] - from));
                from = cursors[target];
            }

            windowStart = windowEnd;
        }

        return builder.Build();
    }

    /// <summary>Builds a map from a store's index and chunk payloads, checking every chunk.</summary>
    public static RowSetMap FromChunks(ProvenanceIndex index, IReadOnlyList<ReadOnlyMemory<byte>> payloads)
    {
        var map = new RowSetMap(index, CheckChunks(index, payloads, ProvenanceKind.RowSet));
        map.Verify();
        return map;
    }

    /// <summary>Reads a file written by <see cref="ProvenanceMap.WriteTo"/>; malformed input is an <see cref="InvalidDataException"/>.</summary>
    public static RowSetMap ReadFrom(Stream stream)
    {
        var (index, payloads) = ReadFile(stream, ProvenanceKind.RowSet);
        var map = new RowSetMap(index, payloads);
        map.Verify();
        return map;
    }

    internal void Visit(SetVisitor visitor)
    {
        for (var chunk = 0; chunk < Index.Entries.Count; chunk++)
        {
            var sets = new OrdinalSetReader(Payload(chunk));
            while (sets.MoveNext())
            {
                visitor(sets.Key, sets.Current);
            }
        }
    }

    private List<long[]> DecodeChunk(int chunk)
    {
        var sets = new OrdinalSetReader(Payload(chunk));
        var result = new List<long[]>(sets.KeyCount);
        while (sets.MoveNext())
        {
            result.Add(sets.Current.ToArray());
        }

        return result;
    }

    private void Verify()
    {
        foreach (var entry in Index.Entries)
        {
            if (entry.FirstValue != 0)
            {
                throw new InvalidDataException($"Chunk {entry.ChunkIndex} of a set map has a first value; set maps have none.");
            }

            var sets = new OrdinalSetReader(Payload(entry.ChunkIndex));
            CheckHeader(entry, sets.FirstKey, sets.KeyCount);
            while (sets.MoveNext())
            {
            }
        }
    }
}
