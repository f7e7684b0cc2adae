namespace ServerlessLineage.Core.Lineage.Graph;

/// <summary>A directed lineage edge from <paramref name="Upstream"/> to <paramref name="Downstream"/>; immutable once written.</summary>
public sealed record LineageEdge(NodeId Upstream, NodeId Downstream, EdgeKind Kind)
{
    /// <summary>The node at the other end from <paramref name="node"/>.</summary>
    public NodeId OtherEnd(NodeId node) =>
        node == Upstream ? Downstream
        : node == Downstream ? Upstream
        : throw new ArgumentException($"{node} is not an end of this edge.", nameof(node));
}
