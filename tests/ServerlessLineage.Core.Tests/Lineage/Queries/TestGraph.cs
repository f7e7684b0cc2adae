using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Core.Tests.Lineage.Queries;

/// <summary>Test data builder for small graphs of dataset nodes named <c>n0</c>, <c>n1</c>, ... joined by DerivedFrom edges.</summary>
internal sealed class TestGraph
{
    private readonly LineageBatch _batch = new();

    public static NodeId Node(int i) => NodeId.Dataset("test", $"n{i}");

    /// <summary>Nodes <paramref name="first"/>..<paramref name="last"/> with a row-count facet of ten times their number.</summary>
    public TestGraph Nodes(int first, int last)
    {
        for (var i = first; i <= last; i++)
        {
            _batch.Add(new LineageNode
            {
                Id = Node(i),
                Namespace = "test",
                Name = $"n{i}",
                Facets = FacetSet.Empty.With(Core.Lineage.OpenLineage.OpenLineageFacets.OutputStatistics, new { rowCount = i * 10L, size = 1L }),
            });
        }

        return this;
    }

    /// <summary>A DerivedFrom edge from node <paramref name="upstream"/> to node <paramref name="downstream"/>.</summary>
    public TestGraph Edge(int upstream, int downstream, EdgeKind kind = EdgeKind.DerivedFrom)
    {
        _batch.Add(Node(upstream), Node(downstream), kind);
        return this;
    }

    /// <summary>Edges along a path: 0 -> 1 -> 2 for (0, 1, 2).</summary>
    public TestGraph Chain(params int[] path)
    {
        for (var i = 1; i < path.Length; i++)
        {
            Edge(path[i - 1], path[i]);
        }

        return this;
    }

    public async Task<InMemoryLineageStore> BuildAsync()
    {
        var store = new InMemoryLineageStore();
        await store.WriteAsync(_batch);
        return store;
    }
}
