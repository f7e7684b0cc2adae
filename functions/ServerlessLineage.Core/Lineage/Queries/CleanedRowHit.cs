namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>A cleaned row that came from a traced raw line, and the example rows built from it (per examples version).</summary>
public sealed record CleanedRowHit(NodeRef Dataset, long Ordinal, IReadOnlyList<DatasetRows> Examples);
