using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>A dataset or model version a run read or wrote, with its row count where a facet records one.</summary>
public sealed record RunArtifact(NodeId Id, string Type, string? Namespace, string? Name, string? Version, long? RowCount);
