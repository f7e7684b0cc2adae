namespace ServerlessLineage.Core.Provenance;

/// <summary>Encoded size of a provenance map; <see cref="TotalBytes"/> is the size of its file serialization.</summary>
public readonly record struct ProvenanceSize(long KeyCount, int ChunkCount, long IndexBytes, long PayloadBytes, long TotalBytes)
{
    public double BytesPerKey => KeyCount == 0 ? 0 : (double)TotalBytes / KeyCount;

    public override string ToString() =>
        FormattableString.Invariant($"{KeyCount} keys, {ChunkCount} chunks, {TotalBytes} bytes ({BytesPerKey:0.###} bytes/key)");
}
