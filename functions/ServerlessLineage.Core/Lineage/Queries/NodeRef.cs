using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// A node named in a query result: its id, type wire name and OpenLineage identity (namespace, name, version) as stored on the
/// node; the identity is null when the node is missing from the store.
/// </summary>
public sealed record NodeRef(NodeId Id, string Type, string? Namespace, string? Name, string? Version)
{
    internal static NodeRef From(NodeId id, LineageNode? node) => new(id, id.Type.ToWireName(), node?.Namespace, node?.Name, node?.Version);
}
