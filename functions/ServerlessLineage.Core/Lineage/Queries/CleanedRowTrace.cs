namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>Both ways from one cleaned row: the raw line(s) it was read from and the example rows built from it.</summary>
public sealed record CleanedRowTrace(NodeRef Dataset, long Ordinal, IReadOnlyList<RawSource> Sources, IReadOnlyList<DatasetRows> Examples);
