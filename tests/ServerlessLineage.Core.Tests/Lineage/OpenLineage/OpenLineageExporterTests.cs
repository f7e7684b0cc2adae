using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Core.Tests.Lineage.OpenLineage;

public sealed class OpenLineageExporterTests
{
    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_TerminalRuns_OneStartAndOneTerminalEventPerRun()
    {
        var events = await ExportAsync();

        foreach (var runId in new[] { SampleLineage.RootRunId }.Concat(SampleLineage.ActivityRunIds))
        {
            var types = EventsOf(events, runId).Select(e => (string?)e["eventType"]).ToList();
            Assert.Equal(2, types.Count);
            Assert.Equal(1, types.Count(t => t == OpenLineageEvents.Start));
            Assert.Equal(1, types.Count(t => t is OpenLineageEvents.Complete or OpenLineageEvents.Fail or OpenLineageEvents.Abort));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_RunningOrchestration_OnlyStartForIt()
    {
        var events = await ExportAsync(RunState.Running);

        var root = EventsOf(events, SampleLineage.RootRunId);
        Assert.Equal([OpenLineageEvents.Start], root.Select(e => (string?)e["eventType"]));
        Assert.Equal(7, events.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_NewRun_StartAtCreationTimeOnly()
    {
        var store = new InMemoryLineageStore();
        var runId = new Guid("0195a1b2-0000-7000-8000-0000000000aa");
        var created = new DateTimeOffset(2025, 4, 2, 8, 30, 0, TimeSpan.FromHours(2));
        await store.CreateRunAsync(new RunRecord
        {
            RunId = runId, RootRunId = runId, JobNamespace = "ns", JobName = "job", State = RunState.New, CreatedAt = created,
        });

        var events = await new OpenLineageExporter(store).ExportRunAsync(runId);

        var start = Assert.Single(events);
        Assert.Equal(OpenLineageEvents.Start, (string?)start["eventType"]);
        Assert.Equal("2025-04-02T08:30:00.0000000+02:00", (string?)start["eventTime"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_RunStates_MapToTerminalEventTypes()
    {
        var events = await ExportAsync();

        Assert.Equal(OpenLineageEvents.Complete, TerminalOf(events, SampleLineage.CleanRunId)["eventType"]!.GetValue<string>());
        Assert.Equal(OpenLineageEvents.Fail, TerminalOf(events, SampleLineage.RecordRunId)["eventType"]!.GetValue<string>());
        Assert.Equal(OpenLineageEvents.Fail, TerminalOf(events, SampleLineage.RootRunId)["eventType"]!.GetValue<string>());
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_EventTimes_StartAtStartedAtAndTerminalAtEndedAt()
    {
        var sample = await SampleLineage.CreateAsync();
        var run = (await sample.Store.GetRunAsync(SampleLineage.TrainRunId))!;

        var events = await new OpenLineageExporter(sample.Store).ExportRunTreeAsync(SampleLineage.RootRunId);

        Assert.Equal(OpenLineageEvents.FormatTime(run.StartedAt!.Value), (string?)StartOf(events, run.RunId)["eventTime"]);
        Assert.Equal(OpenLineageEvents.FormatTime(run.EndedAt!.Value), (string?)TerminalOf(events, run.RunId)["eventTime"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_FailedActivity_TerminalEventCarriesErrorMessage()
    {
        var events = await ExportAsync();

        var facets = TerminalOf(events, SampleLineage.RecordRunId)["run"]!["facets"]!;
        Assert.Equal(SampleLineage.RecordError, (string?)facets[OpenLineageFacets.ErrorMessage]!["message"]);
        Assert.Equal("C#", (string?)facets[OpenLineageFacets.ErrorMessage]!["programmingLanguage"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_FailedActivity_StartEventHasNoErrorMessage()
    {
        var events = await ExportAsync();

        var facets = StartOf(events, SampleLineage.RecordRunId)["run"]!["facets"]!.AsObject();
        Assert.False(facets.ContainsKey(OpenLineageFacets.ErrorMessage));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_ActivityRuns_ParentFacetLinksOrchestrationRunAndJob()
    {
        var events = await ExportAsync();

        foreach (var runEvent in SampleLineage.ActivityRunIds.SelectMany(id => EventsOf(events, id)))
        {
            var parent = runEvent["run"]!["facets"]![OpenLineageFacets.Parent]!;
            Assert.Equal(SampleLineage.RootRunId.ToString("D"), (string?)parent["run"]!["runId"]);
            Assert.Equal(SampleLineage.JobNamespace, (string?)parent["job"]!["namespace"]);
            Assert.Equal("pipeline", (string?)parent["job"]!["name"]);
            Assert.Equal(SampleLineage.RootRunId.ToString("D"), (string?)parent["root"]!["run"]!["runId"]);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_OrchestrationRun_HasNoParentFacet()
    {
        var events = await ExportAsync();

        Assert.All(EventsOf(events, SampleLineage.RootRunId), e => Assert.False(e["run"]!["facets"]!.AsObject().ContainsKey(OpenLineageFacets.Parent)));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_RunFacets_CopiedFromRunRecord()
    {
        var events = await ExportAsync();

        var facets = TerminalOf(events, SampleLineage.TrainRunId)["run"]!["facets"]!;
        Assert.Equal(2, (int?)facets[OpenLineageFacets.HyperParameters]!["epochs"]);
        Assert.Equal(0.41, (double?)facets[OpenLineageFacets.ModelMetrics]!["ndcgAt10"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_Job_NamespaceNameAndJobNodeFacets()
    {
        var events = await ExportAsync();

        var job = StartOf(events, SampleLineage.CleanRunId)["job"]!;
        Assert.Equal(SampleLineage.JobNamespace, (string?)job["namespace"]);
        Assert.Equal("clean-events", (string?)job["name"]);
        Assert.Equal("TASK", (string?)job["facets"]![OpenLineageFacets.JobType]!["jobType"]);
        Assert.Equal("DAG", (string?)StartOf(events, SampleLineage.RootRunId)["job"]!["facets"]![OpenLineageFacets.JobType]!["jobType"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_CleanRun_InputsAreUsedVersionsSortedAndOutputIsProducedVersion()
    {
        var events = await ExportAsync();

        var start = StartOf(events, SampleLineage.CleanRunId);
        Assert.Equal(["catalog.csv", "events.csv"], start["inputs"]!.AsArray().Select(d => (string?)d!["name"]));
        var output = Assert.Single(start["outputs"]!.AsArray())!;
        Assert.Equal(SampleLineage.DatasetNamespace, (string?)output["namespace"]);
        Assert.Equal("cleaned-events", (string?)output["name"]);
        Assert.Equal("sha256:" + SampleLineage.Digest("cleaned").Hex, (string?)output["facets"]![OpenLineageFacets.Version]!["datasetVersion"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_ModelVersions_AppearAsDatasetsInModelNamespace()
    {
        var events = await ExportAsync();

        var start = StartOf(events, SampleLineage.TrainRunId);
        var baseModel = start["inputs"]!.AsArray().Single(d => (string?)d!["name"] == "minilm")!;
        Assert.Equal(OpenLineageExporter.DefaultModelNamespace, (string?)baseModel["namespace"]);
        Assert.Equal("base", (string?)baseModel["facets"]![OpenLineageFacets.Version]!["datasetVersion"]);
        var ranker = Assert.Single(start["outputs"]!.AsArray())!;
        Assert.Equal("ranker", (string?)ranker["name"]);
        Assert.Equal("1", (string?)ranker["facets"]![OpenLineageFacets.Version]!["datasetVersion"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_VersionWithoutFacets_GetsVersionFacet()
    {
        var events = await ExportAsync();

        var catalog = StartOf(events, SampleLineage.CleanRunId)["inputs"]![0]!;
        var facets = catalog["facets"]!.AsObject();
        Assert.Equal([OpenLineageFacets.Version], facets.Select(f => f.Key));
        Assert.Equal(OpenLineageFacets.Producer, (string?)facets[OpenLineageFacets.Version]!["_producer"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_DatasetAsOutput_OutputFacetsOnlyOutputStatistics()
    {
        var events = await ExportAsync();

        var cleaned = StartOf(events, SampleLineage.CleanRunId)["outputs"]![0]!.AsObject();
        Assert.Equal([OpenLineageFacets.OutputStatistics], cleaned["outputFacets"]!.AsObject().Select(f => f.Key));
        Assert.False(cleaned.ContainsKey("inputFacets"));
        Assert.False(cleaned["facets"]!.AsObject().ContainsKey(OpenLineageFacets.DataQualityMetrics));
        Assert.False(cleaned["facets"]!.AsObject().ContainsKey(OpenLineageFacets.OutputStatistics));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_DatasetAsInput_InputFacetsOnlyDataQualityMetrics()
    {
        var events = await ExportAsync();

        var cleaned = StartOf(events, SampleLineage.TrainRunId)["inputs"]!.AsArray().Single(d => (string?)d!["name"] == "cleaned-events")!.AsObject();
        Assert.Equal([OpenLineageFacets.DataQualityMetrics], cleaned["inputFacets"]!.AsObject().Select(f => f.Key));
        Assert.Equal(980, (long?)cleaned["inputFacets"]![OpenLineageFacets.DataQualityMetrics]!["rowCount"]);
        Assert.False(cleaned.ContainsKey("outputFacets"));
        Assert.Equal(
            [OpenLineageFacets.ColumnLineage, OpenLineageFacets.DataSource, OpenLineageFacets.Schema, OpenLineageFacets.CleaningOutcome, OpenLineageFacets.Storage, OpenLineageFacets.Version],
            cleaned["facets"]!.AsObject().Select(f => f.Key));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_Envelope_ProducerSchemaUrlAndRunId()
    {
        var events = await ExportAsync();

        Assert.All(events, e =>
        {
            Assert.Equal(OpenLineageFacets.Producer, (string?)e["producer"]);
            Assert.Equal(OpenLineageFacets.SpecSchemaUrl, (string?)e["schemaURL"]);
            Assert.True(Guid.TryParseExact((string?)e["run"]!["runId"], "D", out _));
        });
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_Events_InTimeOrderWithOrchestrationStartFirstAndEndLast()
    {
        var events = await ExportAsync();

        var times = events.Select(e => DateTimeOffset.Parse((string)e["eventTime"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal(SampleLineage.RootRunId, OpenLineageEventIdentity.Of(events[0]).RunId);
        Assert.Equal(new OpenLineageEventIdentity(SampleLineage.RootRunId, OpenLineageEvents.Fail), OpenLineageEventIdentity.Of(events[^1]));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_SameStoreTwice_ByteIdenticalJsonLines()
    {
        var sample = await SampleLineage.CreateAsync();
        var exporter = new OpenLineageExporter(sample.Store);

        var first = OpenLineageEvents.ToJsonLines(await exporter.ExportRunTreeAsync(SampleLineage.RootRunId));
        var second = OpenLineageEvents.ToJsonLines(await exporter.ExportRunTreeAsync(SampleLineage.RootRunId));

        Assert.Equal(first, second);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_EqualStoresBuiltApart_ByteIdenticalJsonLines()
    {
        var first = OpenLineageEvents.ToJsonLines(await ExportAsync());
        var second = OpenLineageEvents.ToJsonLines(await ExportAsync());

        Assert.Equal(first, second);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_UnknownRoot_ThrowsKeyNotFound()
    {
        var sample = await SampleLineage.CreateAsync();

        await Assert.ThrowsAsync<KeyNotFoundException>(() => new OpenLineageExporter(sample.Store).ExportRunTreeAsync(Guid.Parse("0195a1b2-0000-7000-8000-0000000000ff")));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunAsync_ActivityRun_ItsStartAndTerminalEvents()
    {
        var sample = await SampleLineage.CreateAsync();

        var events = await new OpenLineageExporter(sample.Store).ExportRunAsync(SampleLineage.CleanRunId);

        Assert.Equal(
            [new OpenLineageEventIdentity(SampleLineage.CleanRunId, OpenLineageEvents.Start), new OpenLineageEventIdentity(SampleLineage.CleanRunId, OpenLineageEvents.Complete)],
            events.Select(OpenLineageEventIdentity.Of));
        Assert.Equal(SampleLineage.RootRunId.ToString("D"), (string?)events[0]["run"]!["facets"]![OpenLineageFacets.Parent]!["run"]!["runId"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportRunTreeAsync_UsedNodeNotStored_IdentityTakenFromNodeId()
    {
        var store = new InMemoryLineageStore();
        var runId = new Guid("0195a1b2-0000-7000-8000-0000000000bb");
        var version = NodeId.DatasetVersion("wasbs://c@acct.blob.core.windows.net", "folder/data.parquet", SampleLineage.Digest("x"));
        await store.CreateRunAsync(new RunRecord
        {
            RunId = runId, RootRunId = runId, JobNamespace = "ns", JobName = "job", State = RunState.New, CreatedAt = SampleLineage.T0,
        });
        await store.WriteAsync(new LineageBatch().Add(version, NodeId.Run(runId), EdgeKind.Used));

        var events = await new OpenLineageExporter(store).ExportRunTreeAsync(runId);

        var input = Assert.Single(events[0]["inputs"]!.AsArray())!;
        Assert.Equal("wasbs://c@acct.blob.core.windows.net", (string?)input["namespace"]);
        Assert.Equal("folder/data.parquet", (string?)input["name"]);
        Assert.Equal("sha256:" + SampleLineage.Digest("x").Hex, (string?)input["facets"]![OpenLineageFacets.Version]!["datasetVersion"]);
    }

    private static async Task<IReadOnlyList<JsonObject>> ExportAsync(RunState rootState = RunState.Failed)
    {
        var sample = await SampleLineage.CreateAsync(rootState);
        return await new OpenLineageExporter(sample.Store).ExportRunTreeAsync(SampleLineage.RootRunId);
    }

    internal static List<JsonObject> EventsOf(IEnumerable<JsonObject> events, Guid runId) =>
        [.. events.Where(e => OpenLineageEventIdentity.Of(e).RunId == runId)];

    private static JsonObject StartOf(IEnumerable<JsonObject> events, Guid runId) =>
        Assert.Single(EventsOf(events, runId), e => (string?)e["eventType"] == OpenLineageEvents.Start);

    private static JsonObject TerminalOf(IEnumerable<JsonObject> events, Guid runId) =>
        Assert.Single(EventsOf(events, runId), e => (string?)e["eventType"] != OpenLineageEvents.Start);
}
