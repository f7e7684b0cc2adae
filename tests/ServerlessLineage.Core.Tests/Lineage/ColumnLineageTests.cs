using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage;

namespace ServerlessLineage.Core.Tests.Lineage;

public sealed class ColumnLineageTests
{
    private const string Namespace = "wasbs://datasets@devstoreaccount1";

    [Fact]
    public void ToJson_Mapping_MatchesOpenLineageFacetShape()
    {
        var lineage = Sample();

        var json = JsonNode.Parse(lineage.ToJson())!;

        var input = json["fields"]!["label"]!["inputFields"]![0]!;
        Assert.Equal(Namespace, (string?)input["namespace"]);
        Assert.Equal("cleaned/events", (string?)input["name"]);
        Assert.Equal("event_type", (string?)input["field"]);
        Assert.Equal("DIRECT", (string?)input["transformations"]![0]!["type"]);
        Assert.Equal("AGGREGATION", (string?)input["transformations"]![0]!["subtype"]);
        Assert.Equal("INDIRECT", (string?)json["dataset"]![0]!["transformations"]![0]!["type"]);
        Assert.Equal("GROUP_BY", (string?)json["dataset"]![0]!["transformations"]![0]!["subtype"]);
        Assert.Equal(ColumnLineage.FacetSchemaUrl, (string?)json["_schemaURL"]);
    }

    [Fact]
    public void ToJson_NullMembers_AreOmitted()
    {
        var lineage = new ColumnLineageBuilder()
            .Add("item_id", Namespace, "cleaned/events", "item_id", ColumnTransformation.Identity())
            .Build();

        var json = lineage.ToJson();

        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"dataset\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_SerializedLineage_RoundTrips()
    {
        var json = Sample().ToJson();

        var restored = ColumnLineage.FromJson(json);

        Assert.Equal(json, restored.ToJson());
    }

    [Fact]
    public void Build_ColumnsAddedOutOfOrder_SerializesColumnsInOrdinalOrder()
    {
        var json = Sample().ToJson();

        Assert.True(json.IndexOf("\"item_id\"", StringComparison.Ordinal) < json.IndexOf("\"label\"", StringComparison.Ordinal));
    }

    private static ColumnLineage Sample() => new ColumnLineageBuilder()
        .Add("label", Namespace, "cleaned/events", "event_type", ColumnTransformation.Aggregation("max engagement of the impression"))
        .Add("label", Namespace, "cleaned/events", "dwell_ms", ColumnTransformation.Transform("dwell >= 10s counts as a click"))
        .Add("item_id", Namespace, "cleaned/events", "item_id", ColumnTransformation.Identity())
        .AddDatasetDependency(Namespace, "cleaned/events", "session_id", ColumnTransformation.Indirect(ColumnTransformationSubtype.GroupBy))
        .Build() with { Producer = "https://github.com/serverless-lineage" };
}
