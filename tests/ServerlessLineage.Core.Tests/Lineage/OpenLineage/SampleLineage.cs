using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Lineage;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Core.Tests.Lineage.OpenLineage;

/// <summary>
/// A small pipeline run tree in an <see cref="InMemoryLineageStore"/>, with fixed ids and times:
/// <code>
/// pipeline (orchestration)
///   clean-events     COMPLETED  used raw-events, catalog          produced cleaned-events (DerivedFrom raw-events)
///   train-model      COMPLETED  used cleaned-events, minilm@base  produced ranker@1 (TrainedFrom minilm@base)
///   record-lineage   FAILED     used ranker@1                     (error)
/// ranker@1 GeneratedBy two recommendations.
/// </code>
/// </summary>
public sealed class SampleLineage
{
    public const string JobNamespace = "serverless-lineage";
    public const string DatasetNamespace = "wasbs://datasets@devstoreaccount1.blob.core.windows.net";
    public const string RawNamespace = "wasbs://raw-events@devstoreaccount1.blob.core.windows.net";
    public const string RecordError = "manifest.json is missing from the training output.";

    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public static readonly Guid RootRunId = new("0195a1b2-0000-7000-8000-000000000001");
    public static readonly Guid CleanRunId = new("0195a1b2-0000-7000-8000-000000000002");
    public static readonly Guid TrainRunId = new("0195a1b2-0000-7000-8000-000000000003");
    public static readonly Guid RecordRunId = new("0195a1b2-0000-7000-8000-000000000004");

    public static readonly NodeId RawEvents = NodeId.DatasetVersion(RawNamespace, "events.csv", Digest("raw"));
    public static readonly NodeId Catalog = NodeId.DatasetVersion(RawNamespace, "catalog.csv", Digest("catalog"));
    public static readonly NodeId CleanedEvents = NodeId.DatasetVersion(DatasetNamespace, "cleaned-events", Digest("cleaned"));
    public static readonly NodeId BaseModel = NodeId.ModelVersion("minilm", "base");
    public static readonly NodeId Ranker = NodeId.ModelVersion("ranker", "1");
    public static readonly NodeId RecommendationA = NodeId.Recommendation(Ranker, "subject-a", "item-1");
    public static readonly NodeId RecommendationB = NodeId.Recommendation(Ranker, "subject-b", "item-2");

    private SampleLineage(InMemoryLineageStore store) => Store = store;

    public InMemoryLineageStore Store { get; }

    public static Guid[] ActivityRunIds => [CleanRunId, TrainRunId, RecordRunId];

    /// <summary>Builds the tree; the orchestration ends in <paramref name="rootState"/> (RUNNING leaves it open).</summary>
    public static async Task<SampleLineage> CreateAsync(RunState rootState = RunState.Failed)
    {
        var store = new InMemoryLineageStore();
        await store.WriteAsync(Graph());

        await store.CreateRunAsync(Run(RootRunId, "pipeline", parent: null, minute: 0));
        await store.TransitionRunAsync(RootRunId, new RunTransition(RunState.Running, T0.AddSeconds(1)));
        await RunActivityAsync(store, CleanRunId, "clean-events", 1, RunState.Completed, null, null);
        await RunActivityAsync(store, TrainRunId, "train-model", 3, RunState.Completed, null, TrainingFacets());
        await RunActivityAsync(store, RecordRunId, "record-lineage", 7, RunState.Failed, RecordError, null);
        if (rootState.IsTerminal())
        {
            var error = rootState == RunState.Failed ? "Activity record-lineage failed." : null;
            await store.TransitionRunAsync(RootRunId, new RunTransition(rootState, T0.AddMinutes(9), error));
        }

        return new SampleLineage(store);
    }

    public static Sha256Digest Digest(string text) => Sha256Digest.Compute(Encoding.UTF8.GetBytes(text));

    private static async Task RunActivityAsync(
        InMemoryLineageStore store, Guid runId, string job, int minute, RunState end, string? error, FacetSet? facets)
    {
        await store.CreateRunAsync(Run(runId, job, RootRunId, minute));
        await store.TransitionRunAsync(runId, new RunTransition(RunState.Running, T0.AddMinutes(minute).AddSeconds(5)));
        await store.TransitionRunAsync(runId, new RunTransition(end, T0.AddMinutes(minute + 1), error, facets));
    }

    private static RunRecord Run(Guid runId, string job, Guid? parent, int minute) => new()
    {
        RunId = runId,
        RootRunId = RootRunId,
        ParentRunId = parent,
        JobNamespace = JobNamespace,
        JobName = job,
        State = RunState.New,
        CreatedAt = T0.AddMinutes(minute),
        InstanceId = parent is null ? "pipeline-instance-1" : null,
    };

    private static FacetSet TrainingFacets() => FacetSet.Empty
        .With(OpenLineageFacets.HyperParameters, OpenLineageFacets.CustomFacet(OpenLineageFacets.HyperParameters, new JsonObject
        {
            ["learningRate"] = 0.0001,
            ["epochs"] = 2,
        }))
        .With(OpenLineageFacets.ModelMetrics, OpenLineageFacets.CustomFacet(OpenLineageFacets.ModelMetrics, new JsonObject { ["ndcgAt10"] = 0.41 }));

    private static LineageBatch Graph()
    {
        var batch = new LineageBatch();
        batch.Add(Job("pipeline", "DAG"));
        foreach (var job in new[] { "clean-events", "train-model", "record-lineage" })
        {
            batch.Add(Job(job, "TASK"));
        }

        batch.Add(new LineageNode
        {
            Id = RawEvents,
            Namespace = RawNamespace,
            Name = "events.csv",
            Version = "sha256:" + Digest("raw").Hex,
            CreatedAt = T0,
            Facets = FacetSet.Empty
                .With(OpenLineageFacets.DataSource, OpenLineageFacets.DataSourceFacet("raw-events", new Uri(RawNamespace)))
                .With(OpenLineageFacets.Schema, OpenLineageFacets.SchemaFacet([("event_id", "string", "unique id"), ("user_id", "string", null)])),
        });
        batch.Add(new LineageNode { Id = Catalog, Namespace = RawNamespace, Name = "catalog.csv", Version = "sha256:" + Digest("catalog").Hex, CreatedAt = T0 });
        batch.Add(new LineageNode
        {
            Id = CleanedEvents,
            Namespace = DatasetNamespace,
            Name = "cleaned-events",
            Version = "sha256:" + Digest("cleaned").Hex,
            CreatedAt = T0.AddMinutes(2),
            Facets = CleanedFacets(),
        });
        batch.Add(new LineageNode { Id = BaseModel, Name = "minilm", Version = "base" });
        batch.Add(new LineageNode { Id = Ranker, Name = "ranker", Version = "1", CreatedAt = T0.AddMinutes(4) });
        batch.Add(new LineageNode { Id = RecommendationA, Name = "subject-a:item-1" });
        batch.Add(new LineageNode { Id = RecommendationB, Name = "subject-b:item-2" });

        var clean = NodeId.Run(CleanRunId);
        var train = NodeId.Run(TrainRunId);
        var record = NodeId.Run(RecordRunId);
        batch.Add(RawEvents, clean, EdgeKind.Used)
            .Add(Catalog, clean, EdgeKind.Used)
            .Add(clean, CleanedEvents, EdgeKind.Produced)
            .Add(RawEvents, CleanedEvents, EdgeKind.DerivedFrom)
            .Add(CleanedEvents, train, EdgeKind.Used)
            .Add(BaseModel, train, EdgeKind.Used)
            .Add(train, Ranker, EdgeKind.Produced)
            .Add(BaseModel, Ranker, EdgeKind.TrainedFrom)
            .Add(Ranker, record, EdgeKind.Used)
            .Add(Ranker, RecommendationA, EdgeKind.GeneratedBy)
            .Add(Ranker, RecommendationB, EdgeKind.GeneratedBy)
            .Add(NodeId.Run(RootRunId), clean, EdgeKind.ParentRun)
            .Add(NodeId.Job(JobNamespace, "clean-events"), clean, EdgeKind.InstanceOf);
        return batch;
    }

    private static FacetSet CleanedFacets()
    {
        var columnLineage = DataPlaneColumnLineage.CleanedEvents(
            new DataPlaneColumnLineage.DatasetName(RawNamespace, "events.csv"),
            new DataPlaneColumnLineage.DatasetName(RawNamespace, "catalog.csv")) with { Producer = OpenLineageFacets.Producer };
        return FacetSet.Empty
            .With(OpenLineageFacets.Schema, OpenLineageFacets.SchemaFacet([("event_id", "string", null), ("subject", "string", "pseudonymised user")]))
            .With(OpenLineageFacets.DataSource, OpenLineageFacets.DataSourceFacet("datasets", new Uri(DatasetNamespace)))
            .With(OpenLineageFacets.ColumnLineage, JsonSerializer.SerializeToElement(columnLineage, ColumnLineage.JsonOptions))
            .With(OpenLineageFacets.Storage, OpenLineageFacets.StorageFacet("blob", "parquet"))
            .With(OpenLineageFacets.DataQualityMetrics, OpenLineageFacets.DataQualityMetricsFacet(
                rowCount: 980,
                bytes: 51_200,
                new Dictionary<string, (long?, long?)> { ["event_id"] = (0, 980), ["query"] = (312, null) }))
            .With(OpenLineageFacets.OutputStatistics, OpenLineageFacets.OutputStatisticsFacet(rowCount: 980, size: 51_200))
            .With(OpenLineageFacets.CleaningOutcome, OpenLineageFacets.CustomFacet(OpenLineageFacets.CleaningOutcome, new JsonObject
            {
                ["rowsIn"] = 1000,
                ["rowsClean"] = 980,
                ["rowsQuarantined"] = 20,
            }));
    }

    private static LineageNode Job(string name, string type) => new()
    {
        Id = NodeId.Job(JobNamespace, name),
        Namespace = JobNamespace,
        Name = name,
        Facets = FacetSet.Empty
            .With(OpenLineageFacets.JobType, OpenLineageFacets.JobTypeFacet(type))
            .With(OpenLineageFacets.Documentation, OpenLineageFacets.DocumentationFacet($"The {name} step.")),
    };
}
