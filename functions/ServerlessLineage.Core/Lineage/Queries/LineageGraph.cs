using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// The part of the lineage graph around <see cref="Start"/> that a traversal reached. Nodes are ordered by distance, then id;
/// edges (only those between returned nodes) by upstream, downstream, kind. <see cref="IsPartial"/> says whether more lay
/// beyond the limits, and <see cref="PartialReason"/> which limit stopped it (<see cref="PartialReasons"/>).
/// </summary>
public sealed record LineageGraph(
    NodeId Start,
    string Direction,
    int Depth,
    int NodeBudget,
    IReadOnlyList<LineageGraphNode> Nodes,
    IReadOnlyList<LineageGraphEdge> Edges,
    bool IsPartial,
    string? PartialReason);
