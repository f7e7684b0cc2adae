using System.Text.Json;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Queries;
using static ServerlessLineage.Core.Tests.Lineage.Queries.TestGraph;

namespace ServerlessLineage.Core.Tests.Lineage.Queries;

public sealed class LineageGraphQueryTests
{
    private const int Timeout = 10_000;

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_Upstream_ReturnsAncestorsWithDistances()
    {
        var store = await new TestGraph().Nodes(0, 4).Chain(0, 1, 2, 3).Edge(2, 4).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(3), TraversalDirection.Upstream);

        Assert.Equal([(Node(3), 0), (Node(2), 1), (Node(1), 2), (Node(0), 3)], graph.Nodes.Select(n => (n.Id, n.Distance)));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_Downstream_ReturnsDescendantsWithDistances()
    {
        var store = await new TestGraph().Nodes(0, 4).Chain(0, 1, 2, 3).Edge(4, 2).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(1), TraversalDirection.Downstream);

        Assert.Equal([(Node(1), 0), (Node(2), 1), (Node(3), 2)], graph.Nodes.Select(n => (n.Id, n.Distance)));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_Both_ReturnsAncestorsAndDescendantsButNotSiblings()
    {
        // 4 -> 0 -> 1 <- 2 -> 3: from 0, node 4 is an ancestor and 1 a descendant; 2 and 3 are reached only by going downstream
        // and then upstream (a sibling input of 1), which is not lineage of 0.
        var store = await new TestGraph().Nodes(0, 4).Edge(4, 0).Edge(0, 1).Edge(2, 1).Edge(2, 3).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Both);

        Assert.Equal([(Node(0), 0), (Node(1), 1), (Node(4), 1)], graph.Nodes.Select(n => (n.Id, n.Distance)));
        Assert.False(graph.IsPartial);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_DepthZero_ReturnsStartOnly()
    {
        var store = await new TestGraph().Nodes(0, 2).Chain(0, 1, 2).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(1), TraversalDirection.Both, depth: 0);

        Assert.Equal([Node(1)], graph.Nodes.Select(n => n.Id));
        Assert.Empty(graph.Edges);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_DepthOne_ReturnsDirectNeighboursOnly()
    {
        var store = await new TestGraph().Nodes(0, 4).Chain(0, 1, 2, 3, 4).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(2), TraversalDirection.Both, depth: 1);

        Assert.Equal([Node(2), Node(1), Node(3)], graph.Nodes.Select(n => n.Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_Cycle_TerminatesWithEachNodeOnce()
    {
        var store = await new TestGraph().Nodes(0, 3).Chain(0, 1, 2, 0).Edge(2, 3).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream, depth: LineageGraphQuery.MaxDepth);

        Assert.Equal([(Node(0), 0), (Node(1), 1), (Node(2), 2), (Node(3), 3)], graph.Nodes.Select(n => (n.Id, n.Distance)));
        Assert.False(graph.IsPartial);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_Cycle_ReturnsEveryEdgeOfTheCycleOnce()
    {
        var store = await new TestGraph().Nodes(0, 2).Chain(0, 1, 2, 0).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(1), TraversalDirection.Both);

        Assert.Equal(
            [(Node(0), Node(1)), (Node(1), Node(2)), (Node(2), Node(0))],
            graph.Edges.Select(e => (e.Upstream, e.Downstream)));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_LevelWiderThanParallelism_ReturnsEveryNodeOfTheLevel()
    {
        var builder = new TestGraph().Nodes(0, 40);
        for (var i = 1; i <= 40; i++)
        {
            builder.Edge(0, i);
        }

        var graph = await new LineageGraphQuery(await builder.BuildAsync()).TraverseAsync(Node(0), TraversalDirection.Downstream);

        Assert.Equal(Enumerable.Range(1, 40).Select(Node).Order(), graph.Nodes.Skip(1).Select(n => n.Id));
        Assert.All(graph.Nodes.Skip(1), n => Assert.Equal(1, n.Distance));
        Assert.Equal(40, graph.Edges.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_BudgetBelowReach_IsPartialForNodeBudget()
    {
        var store = await new TestGraph().Nodes(0, 5).Edge(0, 1).Edge(0, 2).Edge(0, 3).Edge(0, 4).Edge(4, 5).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream, nodeBudget: 3);

        Assert.True(graph.IsPartial);
        Assert.Equal(PartialReasons.NodeBudget, graph.PartialReason);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_BudgetCutsLevel_KeepsLowestIdsOfThatLevel()
    {
        var store = await new TestGraph().Nodes(0, 5).Edge(0, 4).Edge(0, 2).Edge(0, 3).Edge(0, 1).Edge(1, 5).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream, nodeBudget: 3);

        Assert.Equal([Node(0), Node(1), Node(2)], graph.Nodes.Select(n => n.Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_BudgetOfOneWithNeighbours_ReturnsStartAndIsPartial()
    {
        var store = await new TestGraph().Nodes(0, 1).Edge(0, 1).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream, nodeBudget: 1);

        Assert.Equal([Node(0)], graph.Nodes.Select(n => n.Id));
        Assert.Equal(PartialReasons.NodeBudget, graph.PartialReason);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_BudgetEqualToReach_IsNotPartial()
    {
        var store = await new TestGraph().Nodes(0, 2).Chain(0, 1, 2).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream, nodeBudget: 3);

        Assert.Equal(3, graph.Nodes.Count);
        Assert.False(graph.IsPartial);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_DepthLeavesNeighboursUnexplored_IsPartialForDepth()
    {
        var store = await new TestGraph().Nodes(0, 3).Chain(0, 1, 2, 3).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream, depth: 2);

        Assert.Equal([Node(0), Node(1), Node(2)], graph.Nodes.Select(n => n.Id));
        Assert.True(graph.IsPartial);
        Assert.Equal(PartialReasons.Depth, graph.PartialReason);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_DepthReachesEnd_IsNotPartial()
    {
        var store = await new TestGraph().Nodes(0, 3).Chain(0, 1, 2, 3).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream, depth: 3);

        Assert.Equal(4, graph.Nodes.Count);
        Assert.False(graph.IsPartial);
        Assert.Null(graph.PartialReason);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_LastLevelOnlyLinkedToVisitedNodes_IsNotPartial()
    {
        // 1 and 2 are both at depth 1 and linked to each other: nothing new lies beyond them.
        var store = await new TestGraph().Nodes(0, 2).Edge(0, 1).Edge(0, 2).Edge(1, 2).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Both, depth: 1);

        Assert.False(graph.IsPartial);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_UnknownStart_ThrowsLineageNodeNotFound()
    {
        var store = await new TestGraph().Nodes(0, 1).Edge(0, 1).BuildAsync();

        var error = await Assert.ThrowsAsync<LineageNodeNotFoundException>(
            () => new LineageGraphQuery(store).TraverseAsync(Node(9), TraversalDirection.Both));

        Assert.Equal(Node(9), error.NodeId);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_EdgeToMissingNode_ReturnsItFlaggedDangling()
    {
        // Node 1 is only named by the edge: no node record was written for it.
        var store = await new TestGraph().Nodes(0, 0).Edge(0, 1).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream);

        var dangling = Assert.Single(graph.Nodes, n => n.Id == Node(1));
        Assert.True(dangling.Dangling);
        Assert.Equal("dataset", dangling.Type);
        Assert.Null(dangling.Facets);
        Assert.False(Assert.Single(graph.Nodes, n => n.Id == Node(0)).Dangling);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(-1, 10)]
    [InlineData(LineageGraphQuery.MaxDepth + 1, 10)]
    [InlineData(1, 0)]
    [InlineData(1, LineageGraphQuery.MaxNodeBudget + 1)]
    public async Task TraverseAsync_DepthOrBudgetOutOfRange_ThrowsArgumentOutOfRange(int depth, int budget)
    {
        var store = await new TestGraph().Nodes(0, 0).BuildAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Both, depth, budget));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_EdgeToNodeBeyondDepth_IsLeftOut()
    {
        var store = await new TestGraph().Nodes(0, 2).Chain(0, 1, 2).BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream, depth: 1);

        var edge = Assert.Single(graph.Edges);
        Assert.Equal((Node(0), Node(1), "derivedFrom"), (edge.Upstream, edge.Downstream, edge.Kind));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_PipelineFromCleanedVersion_SummarisesFacets()
    {
        var store = await new PipelineLineage().BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(PipelineLineage.CleanedEvents, TraversalDirection.Upstream, depth: 1);

        var cleaned = graph.Nodes[0];
        Assert.Equal(PipelineLineage.CleanedEvents, cleaned.Id);
        Assert.Equal("datasetVersion", cleaned.Type);
        Assert.Equal(21, cleaned.Facets!.RowCount);
        Assert.Equal(cleaned.Version, cleaned.Facets.DatasetVersion);
        Assert.Equal(["outputStatistics", "storage", "version"], cleaned.Facets.Names);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_PipelineUpstreamOfModel_ReachesRawFiles()
    {
        var store = await new PipelineLineage().BuildAsync();

        var graph = await new LineageGraphQuery(store).TraverseAsync(PipelineLineage.Model, TraversalDirection.Upstream);

        var ids = graph.Nodes.Select(n => n.Id).ToHashSet();
        Assert.Contains(PipelineLineage.RawEvents, ids);
        Assert.Contains(PipelineLineage.RawCatalog, ids);
        Assert.Contains(PipelineLineage.BaseModel, ids);
        Assert.DoesNotContain(PipelineLineage.Quarantine, ids);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraverseAsync_Result_SerializesWithWebDefaults()
    {
        var store = await new TestGraph().Nodes(0, 1).Edge(0, 1).BuildAsync();
        var graph = await new LineageGraphQuery(store).TraverseAsync(Node(0), TraversalDirection.Downstream);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(graph, JsonSerializerOptions.Web));

        var root = json.RootElement;
        Assert.Equal("dataset:test:n0", root.GetProperty("start").GetString());
        Assert.Equal("downstream", root.GetProperty("direction").GetString());
        Assert.Equal("dataset:test:n1", root.GetProperty("nodes")[1].GetProperty("id").GetString());
        Assert.Equal(10, root.GetProperty("nodes")[1].GetProperty("facets").GetProperty("rowCount").GetInt64());
        Assert.Equal("derivedFrom", root.GetProperty("edges")[0].GetProperty("kind").GetString());
    }
}
