using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>An edge of a traversal result, from upstream to downstream, with its kind's wire name.</summary>
public sealed record LineageGraphEdge(NodeId Upstream, NodeId Downstream, string Kind);
