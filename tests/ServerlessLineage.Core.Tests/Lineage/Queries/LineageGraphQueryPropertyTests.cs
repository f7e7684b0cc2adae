using CsCheck;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Queries;

namespace ServerlessLineage.Core.Tests.Lineage.Queries;

public sealed class LineageGraphQueryPropertyTests
{
    private const int Timeout = 60_000;

    /// <summary>Random graphs of up to 25 nodes: sparse or dense, cycles allowed, some edge ends never written as nodes.</summary>
    private static readonly Gen<RandomGraph> Graphs =
        from nodeCount in Gen.Int[1, 25]
        from written in Gen.Int[1, nodeCount]
        from edges in Gen.Select(Gen.Int[0, nodeCount - 1], Gen.Int[0, nodeCount - 1]).Array[0, nodeCount * 3]
        from start in Gen.Int[0, written - 1]
        from direction in Gen.Enum<TraversalDirection>()
        from depth in Gen.Int[0, 8]
        select new RandomGraph(nodeCount, written, [.. edges.Where(e => e.Item1 != e.Item2).Distinct()], start, direction, depth);

    [Fact(Timeout = Timeout)]
    public Task TraverseAsync_RandomGraph_NodesAndDistancesMatchReference() =>
        Graphs.SampleAsync(async graph =>
        {
            var store = await graph.BuildAsync();

            var result = await new LineageGraphQuery(store).TraverseAsync(
                TestGraph.Node(graph.Start), graph.Direction, graph.Depth, LineageGraphQuery.MaxNodeBudget);

            var expected = graph.ReferenceDistances(graph.Depth);
            Assert.Equal(
                expected.Select(p => (TestGraph.Node(p.Key), p.Value)).OrderBy(p => p.Item1),
                result.Nodes.OrderBy(n => n.Id).Select(n => (n.Id, n.Distance)));
        }, iter: 300);

    [Fact(Timeout = Timeout)]
    public Task TraverseAsync_RandomGraph_IsPartialExactlyWhenOneMoreLevelReachesMore() =>
        Graphs.SampleAsync(async graph =>
        {
            var store = await graph.BuildAsync();

            var result = await new LineageGraphQuery(store).TraverseAsync(
                TestGraph.Node(graph.Start), graph.Direction, graph.Depth, LineageGraphQuery.MaxNodeBudget);

            Assert.Equal(graph.ReferenceDistances(graph.Depth + 1).Count > graph.ReferenceDistances(graph.Depth).Count, result.IsPartial);
        }, iter: 300);

    [Fact(Timeout = Timeout)]
    public Task TraverseAsync_RandomGraphAndBudget_KeepsBudgetAndOrder() =>
        Gen.Select(Graphs, Gen.Int[1, 10]).SampleAsync(async (graph, budget) =>
        {
            var store = await graph.BuildAsync();

            var result = await new LineageGraphQuery(store).TraverseAsync(TestGraph.Node(graph.Start), graph.Direction, graph.Depth, budget);

            Assert.InRange(result.Nodes.Count, 1, budget);
            Assert.Equal(result.Nodes.OrderBy(n => n.Distance).ThenBy(n => n.Id), result.Nodes);
            var returned = result.Nodes.Select(n => n.Id).ToHashSet();
            Assert.All(result.Edges, e => Assert.True(returned.Contains(e.Upstream) && returned.Contains(e.Downstream)));
        }, iter: 300);

    internal sealed record RandomGraph(int NodeCount, int Written, (int Up, int Down)[] Edges, int Start, TraversalDirection Direction, int Depth)
    {
        public async Task<Core.Lineage.Store.InMemoryLineageStore> BuildAsync()
        {
            var builder = new TestGraph().Nodes(0, Written - 1);
            foreach (var (up, down) in Edges)
            {
                builder.Edge(up, down);
            }

            return await builder.BuildAsync();
        }

        /// <summary>
        /// Distances by level relaxation over the edge list (no queue, no visited set): a node first touched while expanding
        /// level k - 1 is at distance k, one direction at a time.
        /// </summary>
        public Dictionary<int, int> ReferenceDistances(int depth)
        {
            if (Direction != TraversalDirection.Both)
            {
                return OneWay(Direction, depth);
            }

            // Both is the ancestors plus the descendants: each node at the nearer of its two one-way distances.
            var distances = OneWay(TraversalDirection.Upstream, depth);
            foreach (var (node, distance) in OneWay(TraversalDirection.Downstream, depth))
            {
                distances[node] = distances.TryGetValue(node, out var up) ? Math.Min(up, distance) : distance;
            }

            return distances;
        }

        private Dictionary<int, int> OneWay(TraversalDirection direction, int depth)
        {
            var distances = new Dictionary<int, int> { [Start] = 0 };
            for (var level = 1; level <= depth; level++)
            {
                foreach (var (up, down) in Edges)
                {
                    if (direction == TraversalDirection.Downstream)
                    {
                        Reach(distances, up, down, level);
                    }
                    else
                    {
                        Reach(distances, down, up, level);
                    }
                }
            }

            return distances;
        }

        private static void Reach(Dictionary<int, int> distances, int from, int to, int level)
        {
            if (distances.TryGetValue(from, out var d) && d == level - 1)
            {
                distances.TryAdd(to, level);
            }
        }
    }
}
