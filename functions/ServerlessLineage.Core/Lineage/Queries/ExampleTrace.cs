namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>Backward trace of one example row: the cleaned rows it was built from and their raw lines, grouped by raw version.</summary>
public sealed record ExampleTrace(NodeRef Dataset, long Ordinal, IReadOnlyList<DatasetRows> CleanedRows, IReadOnlyList<SourceLines> RawLines);
