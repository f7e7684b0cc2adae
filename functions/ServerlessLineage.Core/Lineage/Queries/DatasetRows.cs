namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>Rows of one dataset version by 0-based row ordinal (positions in its Parquet file), ascending.</summary>
public sealed record DatasetRows(NodeRef Dataset, IReadOnlyList<long> Ordinals);
