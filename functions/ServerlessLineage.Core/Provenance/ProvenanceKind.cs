namespace ServerlessLineage.Core.Provenance;

/// <summary>What a chunked provenance map encodes. The numeric values are written to files and tables; never renumber.</summary>
public enum ProvenanceKind : byte
{
    /// <summary>Cleaned row ordinal -> 1-based raw source line (<see cref="RowLineMap"/>).</summary>
    RowLine = 1,

    /// <summary>Key ordinal -> sorted set of ordinals, e.g. example -> cleaned rows (<see cref="RowSetMap"/>).</summary>
    RowSet = 2,
}
