using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Prov;
using ServerlessLineage.Core.Tests.Lineage.OpenLineage;

namespace ServerlessLineage.Core.Tests.Lineage.Prov;

public sealed class ProvExporterTests
{
    /// <summary>Which section each end of each relation kind must be in.</summary>
    private static readonly Dictionary<string, (string Attribute, string Section)[]> RelationEnds = new()
    {
        [ProvTerms.Used] = [("prov:activity", ProvTerms.Activity), ("prov:entity", ProvTerms.Entity)],
        [ProvTerms.WasGeneratedBy] = [("prov:entity", ProvTerms.Entity), ("prov:activity", ProvTerms.Activity)],
        [ProvTerms.WasDerivedFrom] = [("prov:generatedEntity", ProvTerms.Entity), ("prov:usedEntity", ProvTerms.Entity)],
        [ProvTerms.WasAssociatedWith] = [("prov:activity", ProvTerms.Activity), ("prov:agent", ProvTerms.Agent)],
        [ProvTerms.ActedOnBehalfOf] = [("prov:delegate", ProvTerms.Agent), ("prov:responsible", ProvTerms.Agent)],
        [ProvTerms.WasInformedBy] = [("prov:informed", ProvTerms.Activity), ("prov:informant", ProvTerms.Activity)],
    };

    private static readonly string[] JobNames = ["pipeline", "clean-events", "train-model", "record-lineage"];

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_Tree_PrefixesForIdsAndOpenLineage()
    {
        var prov = await ExportAsync();

        Assert.Equal(ProvTerms.SlNamespace, (string?)prov["prefix"]![ProvTerms.SlPrefix]);
        Assert.Equal(ProvTerms.OlNamespace, (string?)prov["prefix"]![ProvTerms.OlPrefix]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_Tree_OneActivityPerRun()
    {
        var prov = await ExportAsync();

        var expected = new[] { SampleLineage.RootRunId }.Concat(SampleLineage.ActivityRunIds).Select(id => ProvExporter.QualifiedName(NodeId.Run(id))).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Keys(prov, ProvTerms.Activity));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_FailedActivityRun_TimesStateAndError()
    {
        var sample = await SampleLineage.CreateAsync();
        var run = (await sample.Store.GetRunAsync(SampleLineage.RecordRunId))!;

        var prov = await new ProvExporter(sample.Store).ExportRunAsync(SampleLineage.RootRunId);

        var activity = prov[ProvTerms.Activity]![ProvExporter.QualifiedName(run.NodeId)]!;
        Assert.Equal(run.StartedAt!.Value, DateTimeOffset.Parse((string)activity["prov:startTime"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(run.EndedAt!.Value, DateTimeOffset.Parse((string)activity["prov:endTime"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("FAILED", (string?)activity["sl:state"]);
        Assert.Equal(SampleLineage.RecordError, (string?)activity["sl:error"]);
        Assert.Equal("sl:ActivityRun", (string?)activity["prov:type"]![0]!["$"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_Tree_EntitiesAreTouchedVersionsAndOneDerivationHop()
    {
        var prov = await ExportAsync();

        var expected = new[]
        {
            SampleLineage.RawEvents, SampleLineage.Catalog, SampleLineage.CleanedEvents, SampleLineage.BaseModel, SampleLineage.Ranker,
            SampleLineage.RecommendationA, SampleLineage.RecommendationB,
        }.Select(ProvExporter.QualifiedName).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Keys(prov, ProvTerms.Entity));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_Tree_AgentsAreJobsAndSystem()
    {
        var prov = await ExportAsync();

        var expected = JobNames
            .Select(j => ProvExporter.QualifiedName(NodeId.Job(SampleLineage.JobNamespace, j)))
            .Append(ProvTerms.SystemAgent)
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, Keys(prov, ProvTerms.Agent));
        Assert.Equal("prov:SoftwareAgent", (string?)prov[ProvTerms.Agent]![ProvTerms.SystemAgent]!["prov:type"]!["$"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_EveryRelation_EndsExistInTheirSections()
    {
        var prov = await ExportAsync();

        foreach (var (kind, ends) in RelationEnds)
        {
            foreach (var (id, relation) in prov[kind]!.AsObject())
            {
                foreach (var (attribute, section) in ends)
                {
                    var end = (string?)relation![attribute];
                    Assert.True(end is not null && prov[section]!.AsObject().ContainsKey(end), $"{kind} {id}: {attribute} '{end}' is not in {section}.");
                }
            }
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData(ProvTerms.Used, 5)]
    [InlineData(ProvTerms.WasGeneratedBy, 2)]
    [InlineData(ProvTerms.WasDerivedFrom, 4)]
    [InlineData(ProvTerms.WasAssociatedWith, 4)]
    [InlineData(ProvTerms.ActedOnBehalfOf, 4)]
    [InlineData(ProvTerms.WasInformedBy, 5)]
    public async Task ExportRunAsync_Tree_ExpectedRelationCount(string kind, int expected)
    {
        var prov = await ExportAsync();

        Assert.Equal(expected, prov[kind]!.AsObject().Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_RelationIds_UniqueBlankNodes()
    {
        var prov = await ExportAsync();

        var ids = RelationEnds.Keys.SelectMany(kind => Keys(prov, kind)).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^_:[a-z][0-9]+$", id));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_DerivationWithinOneRun_NamesThatRun()
    {
        var prov = await ExportAsync();

        var derivation = Relations(prov, ProvTerms.WasDerivedFrom).Single(r => (string?)r["prov:generatedEntity"] == ProvExporter.QualifiedName(SampleLineage.CleanedEvents));
        Assert.Equal(ProvExporter.QualifiedName(SampleLineage.RawEvents), (string?)derivation["prov:usedEntity"]);
        Assert.Equal(ProvExporter.QualifiedName(NodeId.Run(SampleLineage.CleanRunId)), (string?)derivation["prov:activity"]);
        Assert.Equal("sl:derivedFrom", (string?)derivation["prov:type"]!["$"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_Recommendation_DerivedFromModelVersionWithoutActivity()
    {
        var prov = await ExportAsync();

        var derivation = Relations(prov, ProvTerms.WasDerivedFrom).Single(r => (string?)r["prov:generatedEntity"] == ProvExporter.QualifiedName(SampleLineage.RecommendationA));
        Assert.Equal(ProvExporter.QualifiedName(SampleLineage.Ranker), (string?)derivation["prov:usedEntity"]);
        Assert.Null(derivation["prov:activity"]);
        Assert.Equal("sl:generatedBy", (string?)derivation["prov:type"]!["$"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_ActivityRuns_InformedByOrchestration()
    {
        var prov = await ExportAsync();

        var informed = Relations(prov, ProvTerms.WasInformedBy)
            .Where(r => (string?)r["prov:type"]!["$"] == "sl:parentRun")
            .Select(r => ((string?)r["prov:informed"], (string?)r["prov:informant"]))
            .Order();
        var root = ProvExporter.QualifiedName(NodeId.Run(SampleLineage.RootRunId));
        Assert.Equal(SampleLineage.ActivityRunIds.Select(id => ((string?)ProvExporter.QualifiedName(NodeId.Run(id)), (string?)root)).Order(), informed);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_RunUsingAnotherRunsOutput_InformedByIt()
    {
        var prov = await ExportAsync();

        var flows = Relations(prov, ProvTerms.WasInformedBy)
            .Where(r => (string?)r["prov:type"]!["$"] == "sl:dataFlow")
            .Select(r => ((string?)r["prov:informed"], (string?)r["prov:informant"]))
            .ToHashSet();
        string Run(Guid id) => ProvExporter.QualifiedName(NodeId.Run(id));
        Assert.Equal([(Run(SampleLineage.TrainRunId), Run(SampleLineage.CleanRunId)), (Run(SampleLineage.RecordRunId), Run(SampleLineage.TrainRunId))], flows);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_SameStoreTwice_ByteIdentical()
    {
        var sample = await SampleLineage.CreateAsync();
        var exporter = new ProvExporter(sample.Store);

        var first = (await exporter.ExportRunAsync(SampleLineage.RootRunId)).ToJsonString();
        var second = (await exporter.ExportRunAsync(SampleLineage.RootRunId)).ToJsonString();

        Assert.Equal(first, second);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_UnknownRoot_ThrowsKeyNotFound()
    {
        var sample = await SampleLineage.CreateAsync();

        await Assert.ThrowsAsync<KeyNotFoundException>(() => new ProvExporter(sample.Store).ExportRunAsync(Guid.Parse("0195a1b2-0000-7000-8000-0000000000ff")));
    }

    private static async Task<JsonObject> ExportAsync()
    {
        var sample = await SampleLineage.CreateAsync();
        return await new ProvExporter(sample.Store).ExportRunAsync(SampleLineage.RootRunId);
    }

    private static List<string> Keys(JsonObject prov, string section) => [.. prov[section]!.AsObject().Select(p => p.Key)];

    private static List<JsonObject> Relations(JsonObject prov, string kind) => [.. prov[kind]!.AsObject().Select(p => p.Value!.AsObject())];
}
