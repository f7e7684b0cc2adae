using System.Text;
using System.Text.Json.Nodes;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Tests.Lineage.Queries;

/// <summary>
/// Test data builder: the lineage one pipeline run leaves behind, written as the shared lineage layout prescribes (job names,
/// VersionOf/InstanceOf/ParentRun/Used/Produced edges, the derivation edges, row maps, attribution, findings and the subject
/// index). Row provenance uses small chunks so every map spans several. The plain arrays (<see cref="CleanedLines"/>,
/// <see cref="ExampleSets"/>) are what expected values in tests are computed from.
/// </summary>
internal sealed class PipelineLineage
{
    public const string JobNamespace = "serverlesslineage";
    public const string UserId = "shopper-8841";
    public const string OtherUserId = "shopper-1203";
    public const string TracedItem = "item-042";
    public const string UntracedItem = "item-007";
    public const int RawDataLines = 24;

    public static readonly byte[] Secret = Encoding.UTF8.GetBytes("queries-test-secret-0123456789");

    /// <summary>Raw lines (1-based, header = line 1) that cleaning quarantined.</summary>
    public static readonly long[] QuarantinedLines = [5, 12, 20];

    /// <summary>Four keys per chunk: the 21 cleaned rows and 10 examples each need several chunks.</summary>
    public static readonly ProvenanceChunkOptions SmallChunks = new() { MaxKeysPerChunk = 4 };

    public static readonly Guid OrchestrationRunId = new("6f1c2a4e-0000-4000-8000-000000000001");
    public static readonly Guid CleanRunId = new("6f1c2a4e-0000-4000-8000-000000000002");
    public static readonly Guid BuildRunId = new("6f1c2a4e-0000-4000-8000-000000000003");
    public static readonly Guid TrainRunId = new("6f1c2a4e-0000-4000-8000-000000000004");
    public static readonly Guid RecordRunId = new("6f1c2a4e-0000-4000-8000-000000000005");

    private static readonly DateTimeOffset Start = new(2024, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly string RawNamespace = DatasetNaming.OpenLineageNamespace("raw-events", "devstoreaccount1");
    private static readonly string CatalogNamespace = DatasetNaming.OpenLineageNamespace("catalog", "devstoreaccount1");
    private static readonly string DatasetsNamespace = DatasetNaming.OpenLineageNamespace("datasets", "devstoreaccount1");
    private static readonly string QuarantineNamespace = DatasetNaming.OpenLineageNamespace("quarantine", "devstoreaccount1");

    private bool _trainingFails;
    private bool _withModel = true;

    public PipelineLineage()
    {
        var pseudonymizer = new Pseudonymizer(Secret);
        Subject = pseudonymizer.Pseudonymize(UserId);
        OtherSubject = pseudonymizer.Pseudonymize(OtherUserId);
        CleanedLines = [.. Enumerable.Range(2, RawDataLines).Select(l => (long)l).Except(QuarantinedLines)];
        // Example k is built from cleaned rows k, k+3 and k+10: rows are shared between examples, as impressions share sessions,
        // and the last cleaned row is in no example.
        ExampleSets = [.. Enumerable.Range(0, 10).Select(k => new long[] { k, k + 3, k + 10 })];
    }

    public static NodeId RawEvents { get; } = NodeId.DatasetVersion(RawNamespace, "uploads/events-2024-06.csv", Digest("raw events"));

    public static NodeId RawCatalog { get; } = NodeId.DatasetVersion(CatalogNamespace, "uploads/catalog.csv", Digest("raw catalog"));

    public static NodeId Catalog { get; } = NodeId.DatasetVersion(DatasetsNamespace, "catalog", Digest("catalog"));

    public static NodeId CleanedEvents { get; } = NodeId.DatasetVersion(DatasetsNamespace, "cleaned/events", Digest("cleaned events"));

    public static NodeId Quarantine { get; } = NodeId.DatasetVersion(QuarantineNamespace, "runs/6f1c2a4e/events", Digest("quarantine"));

    public static NodeId Examples { get; } = NodeId.DatasetVersion(DatasetsNamespace, "examples", Digest("examples"));

    public static NodeId BaseModel { get; } = NodeId.ModelVersion("all-minilm-l6-v2", "pretrained");

    public static NodeId Model { get; } = NodeId.ModelVersion("shop-ranker", "20240601.1");

    public string Subject { get; }

    public string OtherSubject { get; }

    /// <summary>Cleaned row ordinal -> raw line.</summary>
    public long[] CleanedLines { get; }

    /// <summary>Example ordinal -> cleaned row ordinals.</summary>
    public long[][] ExampleSets { get; }

    public NodeId TracedRecommendation => NodeId.Recommendation(Model, Subject, TracedItem);

    public NodeId UntracedRecommendation => NodeId.Recommendation(Model, Subject, UntracedItem);

    /// <summary>Top influential examples of the traced recommendation, in the record's order.</summary>
    public IReadOnlyList<InfluentialExample> TopExamples { get; } =
    [
        new(4, "ex-0004", 1, 0.91),
        new(0, "ex-0000", 1, 0.52),
        new(9, "ex-0009", 0, -0.33),
    ];

    /// <summary>The training activity fails (no model is produced); the run tree stops there.</summary>
    public PipelineLineage WithFailedTraining()
    {
        _trainingFails = true;
        _withModel = false;
        return this;
    }

    public async Task<InMemoryLineageStore> BuildAsync()
    {
        var store = new InMemoryLineageStore();
        await WriteGraphAsync(store);
        await WriteRunsAsync(store);
        await WriteProvenanceAsync(store);
        if (_withModel)
        {
            await WriteModelRecordsAsync(store);
        }

        await WriteSubjectIndexAsync(store);
        return store;
    }

    /// <summary>The examples built from cleaned row <paramref name="cleanedOrdinal"/>, computed from <see cref="ExampleSets"/>.</summary>
    public long[] ExamplesOf(long cleanedOrdinal) =>
        [.. Enumerable.Range(0, ExampleSets.Length).Where(k => ExampleSets[k].Contains(cleanedOrdinal)).Select(k => (long)k)];

    private static Sha256Digest Digest(string label) => Sha256Digest.Compute(Encoding.UTF8.GetBytes(label));

    private async Task WriteGraphAsync(InMemoryLineageStore store)
    {
        var batch = new LineageBatch();
        AddVersion(batch, RawEvents, Facets()
            .With(OpenLineageFacets.DataQualityMetrics, OpenLineageFacets.DataQualityMetricsFacet(RawDataLines, 2_048, new Dictionary<string, (long?, long?)>
            {
                ["user_id"] = (1, 9),
                ["item_id"] = (0, 14),
            }))
            .With(OpenLineageFacets.CleaningOutcome, OpenLineageFacets.CustomFacet(OpenLineageFacets.CleaningOutcome, new JsonObject
            {
                ["rowsIn"] = RawDataLines,
                ["rowsClean"] = RawDataLines - QuarantinedLines.Length,
                ["rowsQuarantined"] = QuarantinedLines.Length,
                ["quarantinedByReason"] = new JsonObject { ["MALFORMED_ROW"] = 1, ["UNKNOWN_ITEM"] = 2 },
            })));
        AddVersion(batch, RawCatalog, Facets().With(OpenLineageFacets.DataQualityMetrics, OpenLineageFacets.DataQualityMetricsFacet(5, 512, new Dictionary<string, (long?, long?)>())));
        AddVersion(batch, Catalog, OutputFacets(5));
        AddVersion(batch, CleanedEvents, OutputFacets(CleanedLines.Length));
        AddVersion(batch, Quarantine, OutputFacets(QuarantinedLines.Length));
        AddVersion(batch, Examples, OutputFacets(ExampleSets.Length));
        batch.Add(RawEvents, CleanedEvents, EdgeKind.DerivedFrom)
            .Add(RawCatalog, Catalog, EdgeKind.DerivedFrom)
            .Add(Catalog, CleanedEvents, EdgeKind.DerivedFrom)
            .Add(RawEvents, Quarantine, EdgeKind.DerivedFrom)
            .Add(CleanedEvents, Examples, EdgeKind.DerivedFrom);

        AddModelVersion(batch, BaseModel, FacetSet.Empty);
        if (_withModel)
        {
            AddModelVersion(batch, Model, FacetSet.Empty.With(OpenLineageFacets.ModelMetrics, OpenLineageFacets.CustomFacet(OpenLineageFacets.ModelMetrics, new JsonObject { ["auc"] = 0.81, ["ndcgAt10"] = 0.44 })));
            batch.Add(Examples, Model, EdgeKind.DerivedFrom).Add(BaseModel, Model, EdgeKind.TrainedFrom);
            foreach (var recommendation in new[] { TracedRecommendation, UntracedRecommendation, NodeId.Recommendation(Model, OtherSubject, TracedItem) })
            {
                batch.Add(new LineageNode { Id = recommendation, Name = recommendation.Value, CreatedAt = Start.AddMinutes(40) });
                batch.Add(Model, recommendation, EdgeKind.GeneratedBy);
            }
        }

        await store.WriteAsync(batch);
    }

    private async Task WriteRunsAsync(InMemoryLineageStore store)
    {
        var batch = new LineageBatch();
        await RunAsync(store, batch, OrchestrationRunId, "pipeline", 0, [], [], _trainingFails ? RunState.Failed : RunState.Completed);
        await RunAsync(store, batch, CleanRunId, "pipeline.clean_events", 1, [RawEvents, RawCatalog], [CleanedEvents, Catalog, Quarantine], RunState.Completed);
        await RunAsync(store, batch, BuildRunId, "pipeline.build_examples", 2, [CleanedEvents], [Examples], RunState.Completed);
        var trainFacets = FacetSet.Empty
            .With(OpenLineageFacets.HyperParameters, OpenLineageFacets.CustomFacet(OpenLineageFacets.HyperParameters, new JsonObject { ["epochs"] = 2 }));
        if (_trainingFails)
        {
            await RunAsync(store, batch, TrainRunId, "pipeline.train_model", 3, [Examples, BaseModel], [], RunState.Failed, trainFacets, "Training timed out after 60 minutes.");
        }
        else
        {
            trainFacets = trainFacets.With(OpenLineageFacets.ModelMetrics, OpenLineageFacets.CustomFacet(OpenLineageFacets.ModelMetrics, new JsonObject { ["auc"] = 0.81 }));
            await RunAsync(store, batch, TrainRunId, "pipeline.train_model", 3, [Examples, BaseModel], [Model], RunState.Completed, trainFacets);
            await RunAsync(store, batch, RecordRunId, "pipeline.record_model_lineage", 4, [Model], [], RunState.Completed);
        }

        await store.WriteAsync(batch);
    }

    private static async Task RunAsync(
        InMemoryLineageStore store, LineageBatch batch, Guid runId, string jobName, int step, NodeId[] inputs, NodeId[] outputs, RunState end,
        FacetSet? facets = null, string? error = null)
    {
        var isRoot = runId == OrchestrationRunId;
        var created = Start.AddMinutes(step * 10);
        var run = await store.CreateRunAsync(new RunRecord
        {
            RunId = runId,
            RootRunId = OrchestrationRunId,
            ParentRunId = isRoot ? null : OrchestrationRunId,
            JobNamespace = JobNamespace,
            JobName = jobName,
            State = RunState.New,
            CreatedAt = created,
            InstanceId = isRoot ? "instance-events-2024-06" : null,
        });
        await store.TransitionRunAsync(run.RunId, new RunTransition(RunState.Running, created.AddSeconds(5)));
        await store.TransitionRunAsync(run.RunId, new RunTransition(end, created.AddSeconds(5 + (60 * (step + 1))), error, facets));

        var job = NodeId.Job(JobNamespace, jobName);
        batch.Add(new LineageNode { Id = job, Namespace = JobNamespace, Name = jobName });
        batch.Add(new LineageNode { Id = run.NodeId, Name = jobName, CreatedAt = created });
        batch.Add(job, run.NodeId, EdgeKind.InstanceOf);
        if (!isRoot)
        {
            batch.Add(NodeId.Run(OrchestrationRunId), run.NodeId, EdgeKind.ParentRun);
        }

        foreach (var input in inputs)
        {
            batch.Add(input, run.NodeId, EdgeKind.Used);
        }

        foreach (var output in outputs)
        {
            batch.Add(run.NodeId, output, EdgeKind.Produced);
        }
    }

    private async Task WriteProvenanceAsync(InMemoryLineageStore store)
    {
        var lines = new RowLineMapBuilder(SmallChunks);
        foreach (var line in CleanedLines)
        {
            lines.Add(line);
        }

        var catalogLines = new RowLineMapBuilder(SmallChunks);
        foreach (var line in new long[] { 2, 3, 4, 5, 6 })
        {
            catalogLines.Add(line);
        }

        var sets = new RowSetMapBuilder(SmallChunks);
        foreach (var set in ExampleSets)
        {
            sets.Add(set);
        }

        var examplesToCleaned = sets.Build();
        await store.WriteProvenanceAsync(new ProvenanceMapRef(CleanedEvents, RawEvents), lines.Build());
        await store.WriteProvenanceAsync(new ProvenanceMapRef(Catalog, RawCatalog), catalogLines.Build());
        await store.WriteProvenanceAsync(new ProvenanceMapRef(Examples, CleanedEvents), examplesToCleaned);
        await store.WriteProvenanceAsync(new ProvenanceMapRef(CleanedEvents, Examples), examplesToCleaned.Invert(CleanedLines.Length, SmallChunks));
    }

    private async Task WriteModelRecordsAsync(InMemoryLineageStore store)
    {
        await store.WriteRecommendationsAsync(
        [
            new RecommendationRecord { ModelVersion = Model, Subject = Subject, ItemId = TracedItem, Rank = 1, Score = 0.97, SessionId = "s-1" },
            new RecommendationRecord { ModelVersion = Model, Subject = Subject, ItemId = UntracedItem, Rank = 2, Score = 0.64, SessionId = "s-1" },
            new RecommendationRecord { ModelVersion = Model, Subject = OtherSubject, ItemId = TracedItem, Rank = 1, Score = 0.88, SessionId = "s-2" },
        ]);
        await store.WriteAttributionsAsync(
        [
            new AttributionRecord
            {
                Recommendation = TracedRecommendation,
                ModelVersion = Model,
                TrainingExamples = Examples,
                Subject = Subject,
                ItemId = TracedItem,
                Tokens = [new TokenAttribution(1, "running", "context", 0.42), new TokenAttribution(5, "shoes", "item", 0.31)],
                Features = [new FeatureAttribution("price", 59.9, -0.05), new FeatureAttribution("item_ctr", 0.12, 0.18)],
                TopExamples = TopExamples,
            },
        ]);
        await store.WriteFindingsAsync(
        [
            new SuspiciousRowFinding(Model, Examples, 7, "ex-0007", 1, 3.2, 1),
            new SuspiciousRowFinding(Model, Examples, 2, "ex-0002", 0, 2.1, 2),
        ]);
    }

    private async Task WriteSubjectIndexAsync(InMemoryLineageStore store)
    {
        List<SubjectEntry> entries =
        [
            new(Subject, CleanedEvents, 6),
            new(Subject, Examples, 3),
            new(OtherSubject, CleanedEvents, 4),
        ];
        if (_withModel)
        {
            entries.AddRange(
            [
                new(Subject, Model, 3),
                new(Subject, TracedRecommendation, 1),
                new(Subject, UntracedRecommendation, 1),
                new(OtherSubject, NodeId.Recommendation(Model, OtherSubject, TracedItem), 1),
            ]);
        }

        await store.WriteSubjectEntriesAsync(entries);
    }

    private static FacetSet Facets() => FacetSet.Empty.With(OpenLineageFacets.Storage, OpenLineageFacets.StorageFacet("azureBlob", "csv"));

    private static FacetSet OutputFacets(long rows) => FacetSet.Empty
        .With(OpenLineageFacets.Storage, OpenLineageFacets.StorageFacet("azureBlob", "parquet"))
        .With(OpenLineageFacets.OutputStatistics, OpenLineageFacets.OutputStatisticsFacet(rows, rows * 100));

    private static void AddVersion(LineageBatch batch, NodeId version, FacetSet facets)
    {
        var dataset = version.Unversioned;
        var (ns, name) = Split(dataset);
        var label = "sha256:" + version.Value[(version.Value.LastIndexOf("@sha256:", StringComparison.Ordinal) + "@sha256:".Length)..];
        batch.Add(new LineageNode { Id = dataset, Namespace = ns, Name = name });
        batch.Add(new LineageNode
        {
            Id = version,
            Namespace = ns,
            Name = name,
            Version = label,
            CreatedAt = Start,
            Facets = facets.With(OpenLineageFacets.Version, OpenLineageFacets.VersionFacet(label)),
        });
        batch.Add(dataset, version, EdgeKind.VersionOf);
    }

    private static void AddModelVersion(LineageBatch batch, NodeId version, FacetSet facets)
    {
        var model = version.Unversioned;
        var name = model.Value["model:".Length..];
        batch.Add(new LineageNode { Id = model, Name = name });
        batch.Add(new LineageNode { Id = version, Name = name, Version = version.Value[(version.Value.IndexOf('@', StringComparison.Ordinal) + 1)..], CreatedAt = Start.AddMinutes(35), Facets = facets });
        batch.Add(model, version, EdgeKind.VersionOf);
    }

    // "dataset:<namespace>:<name>": the name is after the last ':' (namespaces such as wasbs://... hold ':' themselves).
    private static (string Namespace, string Name) Split(NodeId dataset)
    {
        var body = dataset.Value["dataset:".Length..];
        var colon = body.LastIndexOf(':');
        return (body[..colon], body[(colon + 1)..]);
    }
}
