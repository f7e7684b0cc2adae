namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// One self-contained chunk of a provenance map: keys [<see cref="FirstKey"/>, <see cref="FirstKey"/> + <see cref="KeyCount"/>).
/// The payload repeats its first key and key count and carries its own base values, so it decodes alone (one table entity).
/// </summary>
public readonly record struct ProvenanceChunk(int ChunkIndex, long FirstKey, int KeyCount, ReadOnlyMemory<byte> Payload);
