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

        // Each node is expanded in the direction(s) it was reached: the start in the requested one; with Both, its upstream
        // neighbours upstream only and its downstream neighbours downstream only. So Both is ancestors plus descendants, never
        // siblings: from a dataset version, up to the dataset and back down to every other version of it would be the whole
        // history, not lineage.
        var distances = new Dictionary<NodeId, int> { [start] = 0 };
        var expanded = new HashSet<(NodeId, TraversalDirection)>();
        var nodes = new List<LineageGraphNode>();
        var returned = new HashSet<NodeId>();
        var edges = new HashSet<LineageEdge>();
        IReadOnlyList<(NodeId Id, TraversalDirection Direction)> frontier = [(start, direction)];
        var level = 0;
        string? partialReason = null;
        while (true)
        {
            foreach (var (id, way) in frontier)
            {
                foreach (var single in Singles(way))
                {
                    expanded.Add((id, single));
                }
            }

            var fetched = await Concurrently.SelectAsync(frontier, (item, token) => FetchAsync(item.Id, item.Direction, token), ct);
            if (level == 0 && fetched[0].Node is null)
            {
                throw new LineageNodeNotFoundException(start);
            }

            var neighbours = new SortedDictionary<NodeId, TraversalDirection>();
            foreach (var (id, node, nodeEdges) in fetched)
            {
                if (returned.Add(id))
                {
                    nodes.Add(ToGraphNode(id, node, level));
                }

                foreach (var edge in nodeEdges)
                {
                    edges.Add(edge);
                    var other = edge.OtherEnd(id);
                    var way = edge.Downstream == id ? TraversalDirection.Upstream : TraversalDirection.Downstream;
                    if (expanded.Contains((other, way)))
                    {
                        continue;
                    }

                    neighbours[other] = neighbours.TryGetValue(other, out var seen) && seen != way ? TraversalDirection.Both : way;
                }
            }

            var newNodes = neighbours.Keys.Count(id => !distances.ContainsKey(id));
            if (partialReason is not null || neighbours.Count == 0)
            {
                break;
            }

            if (level == depth)
            {
                partialReason = newNodes > 0 ? PartialReasons.Depth : null;
                break;
            }

            // Nodes already returned that are reached again the other way (only in cycles) cost no budget.
            var room = nodeBudget - distances.Count;
            var next = neighbours.Where(n => distances.ContainsKey(n.Key)).ToList();
            var fresh = neighbours.Where(n => !distances.ContainsKey(n.Key)).ToList();
            next.AddRange(fresh.Take(room));
            if (fresh.Count > room)
            {
                // The kept nodes are still read below, so the result carries their details and edges; the search stops after them.
                partialReason = PartialReasons.NodeBudget;
                if (next.Count == 0)
                {
                    break;
                }
            }

            level++;
            foreach (var (id, _) in next)
            {
                distances.TryAdd(id, level);
            }

            frontier = [.. next.Select(n => (n.Key, n.Value))];
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

    private static TraversalDirection[] Singles(TraversalDirection direction) => direction == TraversalDirection.Both
        ? [TraversalDirection.Upstream, TraversalDirection.Downstream]
        : [direction];

    private async Task<(NodeId Id, LineageNode? Node, IReadOnlyList<LineageEdge> Edges)> FetchAsync(
        NodeId id, TraversalDirection direction, CancellationToken cancellationToken)
    {
        var (node, edges) = await _store.GetNodeWithEdgesAsync(id, direction, cancellationToken);
        return (id, node, edges);
    }

    private static LineageGraphNode ToGraphNode(NodeId id, LineageNode? node, int distance) => node is null
        ? new LineageGraphNode(id, id.Type.ToWireName(), null, null, null, distance, null, null, Dangling: true)
        : new LineageGraphNode(
            id, id.Type.ToWireName(), node.Namespace, node.Name, node.Version, distance, node.CreatedAt, NodeFacetSummary.From(node.Facets), Dangling: false);
}
