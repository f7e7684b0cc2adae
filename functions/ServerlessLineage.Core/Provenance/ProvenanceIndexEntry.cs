namespace ServerlessLineage.Core.Provenance;

/// <summary>
/// Index row of one chunk. <see cref="FirstValue"/> is the chunk's first source line in a <see cref="RowLineMap"/> (it drives the
/// reverse lookup) and zero in a <see cref="RowSetMap"/>.
/// </summary>
public readonly record struct ProvenanceIndexEntry(int ChunkIndex, long FirstKey, int KeyCount, long FirstValue, int PayloadLength);
