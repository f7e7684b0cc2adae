using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>A query named a lineage node that the store does not hold.</summary>
public sealed class LineageNodeNotFoundException(NodeId nodeId)
    : KeyNotFoundException($"Lineage node {nodeId} does not exist.")
{
    /// <summary>The node that was asked for.</summary>
    public NodeId NodeId { get; } = nodeId;
}
