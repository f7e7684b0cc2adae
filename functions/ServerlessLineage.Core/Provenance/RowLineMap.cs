namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// Cleaned row ordinal -> 1-based raw source line, with strictly increasing lines, stored as runs of consecutive lines in
/// self-contained chunks. A lookup in either direction decodes one chunk.
/// </summary>
public sealed class RowLineMap : ProvenanceMap
{
    internal RowLineMap(ProvenanceIndex index, ReadOnlyMemory<byte>[] payloads)
        : base(index, payloads)
    {
    }

    /// <summary>Source line of the row with <paramref name="ordinal"/>.</summary>
    public long GetSourceLine(long ordinal)
    {
        var chunk = Index.FindChunkByKey(ordinal);
        if (chunk < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"The map holds ordinals 0..{Count - 1}.");
        }

        return GetSourceLine(Payload(chunk), ordinal);
    }

    /// <summary>The ordinal of the row read from <paramref name="sourceLine"/>, or false when that line is not in the dataset.</summary>
    public bool TryGetOrdinal(long sourceLine, out long ordinal)
    {
        var chunk = Index.FindChunkByFirstValue(sourceLine);
        if (chunk < 0)
        {
            ordinal = -1;
            return false;
        }

        return TryGetOrdinal(Payload(chunk), sourceLine, out ordinal);
    }

    /// <summary>Source line of <paramref name="ordinal"/> from one chunk's payload alone (for a store that fetched one chunk).</summary>
    public static long GetSourceLine(ReadOnlySpan<byte> chunkPayload, long ordinal)
    {
        var runs = new LineRunReader(chunkPayload);
        if (ordinal < runs.FirstKey || ordinal - runs.FirstKey >= runs.KeyCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ordinal), ordinal, $"The chunk holds ordinals {runs.FirstKey}..{runs.FirstKey + runs.KeyCount - 1}.");
        }

        while (runs.MoveNext())
        {
            var offset = ordinal - runs.RunFirstOrdinal;
            if (offset < runs.RunLength)
            {
                return runs.RunStart + offset;
            }
        }

        throw new InvalidDataException("A line chunk ended before the requested ordinal.");
    }

    /// <summary>Reverse lookup of <paramref name="sourceLine"/> in one chunk's payload alone.</summary>
    public static bool TryGetOrdinal(ReadOnlySpan<byte> chunkPayload, long sourceLine, out long ordinal)
    {
        var runs = new LineRunReader(chunkPayload);
        while (runs.MoveNext())
        {
            if (sourceLine < runs.RunStart)
            {
                break;
            }

            if (sourceLine <= runs.RunLastLine)
            {
                ordinal = runs.RunFirstOrdinal + (sourceLine - runs.RunStart);
                return true;
            }
        }

        ordinal = -1;
        return false;
    }

    /// <summary>Every source line in ordinal order.</summary>
    public IEnumerable<long> EnumerateSourceLines()
    {
        for (var chunk = 0; chunk < Index.Entries.Count; chunk++)
        {
            foreach (var line in DecodeChunk(chunk))
            {
                yield return line;
            }
        }
    }

    /// <summary>Builds a map from a store's index and chunk payloads, checking every chunk.</summary>
    public static RowLineMap FromChunks(ProvenanceIndex index, IReadOnlyList<ReadOnlyMemory<byte>> payloads)
    {
        var map = new RowLineMap(index, CheckChunks(index, payloads, ProvenanceKind.RowLine));
        map.Verify();
        return map;
    }

    /// <summary>Reads a file written by <see cref="ProvenanceMap.WriteTo"/>; malformed input is an <see cref="InvalidDataException"/>.</summary>
    public static RowLineMap ReadFrom(Stream stream)
    {
        var (index, payloads) = ReadFile(stream, ProvenanceKind.RowLine);
        var map = new RowLineMap(index, payloads);
        map.Verify();
        return map;
    }

    private long[] DecodeChunk(int chunk)
    {
        var runs = new LineRunReader(Payload(chunk));
        var lines = new long[runs.KeyCount];
        var i = 0;
        while (runs.MoveNext())
        {
            for (long n = 0; n < runs.RunLength; n++)
            {
                lines[i++] = runs.RunStart + n;
            }
        }

        return lines;
    }

    // Decodes every chunk fully: headers match the index and lines strictly increase across chunk boundaries.
    private void Verify()
    {
        long previousLast = 0;
        foreach (var entry in Index.Entries)
        {
            var runs = new LineRunReader(Payload(entry.ChunkIndex));
            CheckHeader(entry, runs.FirstKey, runs.KeyCount);
            var first = true;
            while (runs.MoveNext())
            {
                if (first && (runs.RunStart != entry.FirstValue || runs.RunStart <= previousLast))
                {
                    throw new InvalidDataException(
                        $"Chunk {entry.ChunkIndex} starts at line {runs.RunStart}, which does not fit the index or the previous chunk.");
                }

                first = false;
                previousLast = runs.RunLastLine;
            }
        }
    }
}
