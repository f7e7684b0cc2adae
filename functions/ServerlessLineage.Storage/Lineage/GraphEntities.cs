using Azure.Data.Tables;
using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// Entities of the graph table. A node lives at (key(id), "node"); an edge is stored twice, in the partition of each end, at
/// "u|kind|key(other)" where the other end is upstream and "d|kind|key(other)" where it is downstream, with both full ids.
/// </summary>
internal static class GraphEntities
{
    public const string NodeRowKey = "node";
    public const string UpstreamPrefix = "u";
    public const string DownstreamPrefix = "d";

    public static string PartitionKey(NodeId id) => TableKeys.Key(id.Value);

    public static TableEntity Node(LineageNode node)
    {
        var entity = new TableEntity(PartitionKey(node.Id), NodeRowKey)
        {
            ["Type"] = node.Type.ToWireName(),
        };
        TableValues.SetText(entity, "Id", node.Id.Value);
        TableValues.SetText(entity, "Namespace", node.Namespace);
        TableValues.SetText(entity, "Name", node.Name);
        TableValues.SetText(entity, "Version", node.Version);
        EntityValues.SetTime(entity, "CreatedAt", node.CreatedAt);
        EntityValues.SetFacets(entity, "Facets", node.Facets);
        return entity;
    }

    public static LineageNode ToNode(TableEntity entity) => new()
    {
        Id = EntityValues.RequiredNodeId(entity, "Id"),
        Namespace = TableValues.GetText(entity, "Namespace"),
        Name = TableValues.GetText(entity, "Name"),
        Version = TableValues.GetText(entity, "Version"),
        CreatedAt = EntityValues.GetTime(entity, "CreatedAt"),
        Facets = EntityValues.GetFacets(entity, "Facets"),
    };

    /// <summary>The edge as seen from its upstream end (in that node's partition) and from its downstream end.</summary>
    public static (TableEntity AtUpstream, TableEntity AtDownstream) Edge(LineageEdge edge)
    {
        var kind = edge.Kind.ToWireName();
        return (
            EdgeEntity(PartitionKey(edge.Upstream), TableKeys.Key(DownstreamPrefix, kind, edge.Downstream.Value), edge),
            EdgeEntity(PartitionKey(edge.Downstream), TableKeys.Key(UpstreamPrefix, kind, edge.Upstream.Value), edge));
    }

    public static LineageEdge ToEdge(TableEntity entity)
    {
        var kindName = EntityValues.RequiredString(entity, "Kind");
        return EdgeKinds.TryParseWireName(kindName, out var kind)
            ? new LineageEdge(EntityValues.RequiredNodeId(entity, "Upstream"), EntityValues.RequiredNodeId(entity, "Downstream"), kind)
            : throw new InvalidDataException($"Entity ({entity.PartitionKey}, {entity.RowKey}) holds unknown edge kind '{kindName}'.");
    }

    public static string Describe(LineageEdge edge) => $"edge {edge.Upstream} -[{edge.Kind.ToWireName()}]-> {edge.Downstream}";

    private static TableEntity EdgeEntity(string partitionKey, string rowKey, LineageEdge edge)
    {
        var entity = new TableEntity(partitionKey, rowKey) { ["Kind"] = edge.Kind.ToWireName() };
        TableValues.SetText(entity, "Upstream", edge.Upstream.Value);
        TableValues.SetText(entity, "Downstream", edge.Downstream.Value);
        return entity;
    }
}
