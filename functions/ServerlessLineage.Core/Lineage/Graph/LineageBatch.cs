namespace ServerlessLineage.Core.Lineage.Graph;

/// <summary>Nodes and edges to write together. Writing a batch is idempotent.</summary>
public sealed class LineageBatch
{
    private readonly Dictionary<NodeId, LineageNode> _nodes = [];
    private readonly HashSet<LineageEdge> _edges = [];

    public IReadOnlyCollection<LineageNode> Nodes => _nodes.Values;

    public IReadOnlyCollection<LineageEdge> Edges => _edges;

    /// <summary>Adds a node; the same node twice is fine, two different nodes under one id are an error.</summary>
    public LineageBatch Add(LineageNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (_nodes.TryGetValue(node.Id, out var existing) && !existing.Equals(node))
        {
            throw new ArgumentException($"The batch already holds a different node {node.Id}.", nameof(node));
        }

        _nodes[node.Id] = node;
        return this;
    }

    public LineageBatch Add(NodeId upstream, NodeId downstream, EdgeKind kind)
    {
        if (upstream == downstream)
        {
            throw new ArgumentException($"An edge joins two different nodes; got {upstream} twice.", nameof(downstream));
        }

        _edges.Add(new LineageEdge(upstream, downstream, kind));
        return this;
    }

    public LineageBatch Add(LineageBatch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var node in other.Nodes)
        {
            Add(node);
        }

        foreach (var edge in other.Edges)
        {
            _edges.Add(edge);
        }

        return this;
    }
}
