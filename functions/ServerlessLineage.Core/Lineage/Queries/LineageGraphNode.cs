using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// A node of a traversal result. <see cref="Distance"/> is the number of hops from the start. A <see cref="Dangling"/> node is
/// referenced by an edge but missing from the store: its type comes from its id and its other fields are null.
/// </summary>
public sealed record LineageGraphNode(
    NodeId Id,
    string Type,
    string? Namespace,
    string? Name,
    string? Version,
    int Distance,
    DateTimeOffset? CreatedAt,
    NodeFacetSummary? Facets,
    bool Dangling);
