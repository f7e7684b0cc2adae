namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>The raw file version and 1-based line a row was read from.</summary>
public sealed record RawSource(NodeRef Dataset, long Line);
