using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// Breadth-first traversal of the lineage graph from one node, level by level, with a depth limit and a node budget. Each level's
/// nodes are read concurrently (one node read and one edge query each), so a query costs about one round trip per level.
/// </summary>
public sealed class LineageGraphQuery(ILineageStore store)
{
    public const int DefaultDepth = 20;
    public const int MaxDepth = 100;
    public const int DefaultNodeBudget = 1000;
    public const int MaxNodeBudget = 100_000;

    private readonly ILineageStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>
    /// The nodes within <paramref name="depth"/> hops of <paramref name="start"/> along <paramref name="direction"/> (depth 0: the
    /// start alone), at most <paramref name="nodeBudget"/> of them, and the edges between them. When the budget cuts a level, the
    /// nodes kept are the lowest ids of that level. Throws <see cref="LineageNodeNotFoundException"/> for an unknown start.
    /// </summary>
    public async Task<LineageGraph> TraverseAsync(
        NodeId start,
        TraversalDirection direction,
        int depth = DefaultDepth,
        int nodeBudget = DefaultNodeBudget,
        CancellationToken ct = default)
    {
        if (start.IsEmpty)
        {
            throw new ArgumentException("The start node id is empty.", nameof(start));
        }

        if (!Enum.IsDefined(direction))
        {
            throw new ArgumentOutOfRangeException(nameof(direction), direction, "Unknown traversal direction.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, MaxDepth);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeBudget, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodeBudget, MaxNodeBudget);

        var distances = new Dictionary<NodeId, int> { [start] = 0 };
        var nodes = new List<LineageGraphNode>();
        var edges = new HashSet<LineageEdge>();
        IReadOnlyList<NodeId> frontier = [start];
        var level = 0;
        string? partialReason = null;
        while (true)
        {
            var fetched = await Concurrently.SelectAsync(frontier, (id, token) => FetchAsync(id, direction, token), ct);
            if (level == 0 && fetched[0].Node is null)
            {
                throw new LineageNodeNotFoundException(start);
            }

            var neighbours = new SortedSet<NodeId>();
            foreach (var (id, node, nodeEdges) in fetched)
            {
                nodes.Add(ToGraphNode(id, node, level));
                foreach (var edge in nodeEdges)
                {
                    edges.Add(edge);
                    var other = edge.OtherEnd(id);
                    if (!distances.ContainsKey(other))
                    {
                        neighbours.Add(other);
                    }
                }
            }

            if (partialReason is not null || neighbours.Count == 0)
            {
                break;
            }

            if (level == depth)
            {
                partialReason = PartialReasons.Depth;
                break;
            }

            var room = nodeBudget - distances.Count;
            var next = neighbours.Take(room).ToList();
            if (next.Count < neighbours.Count)
            {
                // The kept nodes are still read below, so the result carries their details and edges; the search stops after them.
                partialReason = PartialReasons.NodeBudget;
                if (next.Count == 0)
                {
                    break;
                }
            }

            level++;
            foreach (var id in next)
            {
                distances[id] = level;
            }

            frontier = next;
        }

        return new LineageGraph(
            start,
            WireName(direction),
            depth,
            nodeBudget,
            [.. nodes.OrderBy(n => n.Distance).ThenBy(n => n.Id)],
            [.. edges
                .Where(e => distances.ContainsKey(e.Upstream) && distances.ContainsKey(e.Downstream))
                .OrderBy(e => e.Upstream).ThenBy(e => e.Downstream).ThenBy(e => e.Kind)
                .Select(e => new LineageGraphEdge(e.Upstream, e.Downstream, e.Kind.ToWireName()))],
            partialReason is not null,
            partialReason);
    }

    /// <summary>The wire name of a direction, as the HTTP API's <c>direction</c> parameter spells it.</summary>
    public static string WireName(TraversalDirection direction) => direction switch
    {
        TraversalDirection.Upstream => "upstream",
        TraversalDirection.Downstream => "downstream",
        TraversalDirection.Both => "both",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "Unknown traversal direction."),
    };

    private async Task<(NodeId Id, LineageNode? Node, IReadOnlyList<LineageEdge> Edges)> FetchAsync(
        NodeId id, TraversalDirection direction, CancellationToken cancellationToken)
    {
        var nodeTask = _store.GetNodeAsync(id, cancellationToken);
        var edgesTask = _store.GetEdgesAsync(id, direction, cancellationToken);
        await Task.WhenAll(nodeTask, edgesTask);
        return (id, await nodeTask, await edgesTask);
    }

    private static LineageGraphNode ToGraphNode(NodeId id, LineageNode? node, int distance) => node is null
        ? new LineageGraphNode(id, id.Type.ToWireName(), null, null, null, distance, null, null, Dangling: true)
        : new LineageGraphNode(
            id, id.Type.ToWireName(), node.Namespace, node.Name, node.Version, distance, node.CreatedAt, NodeFacetSummary.From(node.Facets), Dangling: false);
}
