using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Storage.Tests.Lineage;

/// <summary>The transactions the store plans for graph writes (pure logic, no storage).</summary>
public sealed class TableLineageStorePlanTests
{
    [Fact]
    public void PlanWrite_250EdgesOnOneNode_SplitsTheNodesPartitionInto100100And51()
    {
        var (batch, hub) = Fan(250);

        var plans = TableLineageStore.PlanWrite(batch);

        var hubKey = TableKeys.Key(hub.Value);
        Assert.Equal([100, 100, 51], plans.Where(p => p.PartitionKey == hubKey).Select(p => p.Writes.Count));
        Assert.All(plans.Where(p => p.PartitionKey != hubKey), p => Assert.Equal(2, p.Writes.Count));
    }

    [Fact]
    public void PlanWrite_1000Nodes_TakesOneTransactionPer100EntitiesOfAPartition()
    {
        var (batch, _) = Fan(999);

        var plans = TableLineageStore.PlanWrite(batch);

        // 1,000 nodes: the hub's partition holds it and 999 edge ends (10 transactions), each version its node and one edge end.
        Assert.Equal(1_000, batch.Nodes.Count);
        Assert.Equal(10 + 999, plans.Count);
        Assert.All(plans, p => Assert.InRange(p.Writes.Count, 1, 100));
        Assert.All(
            plans.GroupBy(p => p.PartitionKey),
            g => Assert.Equal((g.Sum(p => p.Writes.Count) + 99) / 100, g.Count()));
        Assert.All(plans, p => Assert.All(p.Writes, w => Assert.Equal(p.PartitionKey, w.Entity.PartitionKey)));
    }

    [Fact]
    public void PlanWrite_Edge_StoresItAtBothEndsUnderDirectionalRowKeys()
    {
        var upstream = LineageSamples.DatasetVersionId("raw", 1);
        var downstream = LineageSamples.DatasetVersionId("cleaned", 2);

        var plans = TableLineageStore.PlanWrite(new LineageBatch().Add(upstream, downstream, EdgeKind.DerivedFrom));

        var keys = plans.SelectMany(p => p.Writes).Select(w => (w.Entity.PartitionKey, w.Entity.RowKey)).ToHashSet();
        Assert.Equal(
            new HashSet<(string, string)>
            {
                (TableKeys.Key(upstream.Value), TableKeys.Key("d", "derivedFrom", downstream.Value)),
                (TableKeys.Key(downstream.Value), TableKeys.Key("u", "derivedFrom", upstream.Value)),
            },
            keys);
    }

    /// <summary>A dataset with <paramref name="versions"/> versions, each a node joined to it by a VersionOf edge.</summary>
    internal static (LineageBatch Batch, NodeId Hub) Fan(int versions)
    {
        var hub = LineageSamples.Dataset("cleaned-events");
        var batch = new LineageBatch().Add(hub);
        for (var i = 0; i < versions; i++)
        {
            var version = LineageSamples.DatasetVersion("cleaned-events", i);
            batch.Add(version).Add(hub.Id, version.Id, EdgeKind.VersionOf);
        }

        return (batch, hub.Id);
    }
}
