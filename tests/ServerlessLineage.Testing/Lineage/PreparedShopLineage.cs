using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Preparation;

namespace ServerlessLineage.Testing.Lineage;

/// <summary>
/// Generated shop data (with bad rows) prepared once by the real data plane, and its folder lineage, shared by the tests of a
/// class. Each test records into its own store: the data plane's lineage, and a synthetic model lineage (recommendations,
/// attributions and findings over real example rows) for tests that need a trained model without training one.
/// </summary>
public sealed partial class PreparedShopLineage : IAsyncLifetime, IDisposable
{
    public const string InstanceId = "recorder-tests-instance";

    public static readonly DateTimeOffset RunStartedAt = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The pseudonymisation secret the data was prepared with (bytes 1..32).</summary>
    public static readonly byte[] Secret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    /// <summary>When the synthetic training starts.</summary>
    public static readonly DateTimeOffset TrainingStart = RunStartedAt.AddMinutes(10);

    /// <summary>The synthetic pretrained base model.</summary>
    public static readonly BaseModelInfo BaseModel = new("all-minilm-l6-v2", "sha256-4a64cee3", "all-MiniLM-L6-v2 ONNX (test)");

    private readonly TempDirectory _directory = new("recorder-data-");

    public Guid RootRunId { get; } = RunIds.FromInstanceId(InstanceId);

    public GeneratedExamples Data { get; private set; } = null!;

    public PreparedFolderLineage Lineage { get; private set; } = null!;

    /// <summary>Every raw user id in the generated events file (the generator names users <c>u-000123</c>).</summary>
    public IReadOnlySet<string> RawUserIds { get; private set; } = null!;

    public string Folder => Data.PreparedDirectory;

    public ExampleTable Examples => Data.Examples;

    public async Task InitializeAsync()
    {
        Data = await GeneratedExamples.CreateAsync(
            new GeneratorOptions { Events = 3_000, Seed = 11, BadShare = 0.03, Days = 14 },
            new ExampleOptions { MaxSequenceLength = 32 },
            _directory.Path,
            runStartedAt: RunStartedAt,
            secret: Secret);
        Lineage = await PreparedFolderLineage.ReadAsync(Folder, RootRunId);
        var events = await File.ReadAllTextAsync(Data.Generated.EventsPath);
        RawUserIds = UserId().Matches(events).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A pseudonymizer with the secret the data was prepared with.</summary>
    public static Pseudonymizer CreatePseudonymizer() => new(Secret);

    /// <summary>The examples version the folder's lineage names.</summary>
    public NodeId ExamplesVersion => NodeId.DatasetVersion(Lineage.Examples.Examples);

    /// <summary>A fresh in-memory store holding the pipeline start and the folder's cleaning and example lineage.</summary>
    public async Task<InMemoryLineageStore> RecordDataPlaneAsync() => await RecordDataPlaneAsync(new InMemoryLineageStore());

    /// <summary>Records the pipeline start and the folder's cleaning and example lineage into <paramref name="store"/>.</summary>
    public async Task<TStore> RecordDataPlaneAsync<TStore>(TStore store)
        where TStore : ILineageStore
    {
        var recorder = new DataPlaneLineageRecorder(store);
        await recorder.RecordPipelineStartAsync(PipelineRunInfo.ForInstance(InstanceId, RunStartedAt));
        await Lineage.RecordAsync(recorder);
        return store;
    }

    /// <summary>Records the data plane and <see cref="SyntheticModel"/> into <paramref name="store"/>, and ends the pipeline run.</summary>
    public async Task<TStore> RecordAllAsync<TStore>(TStore store)
        where TStore : ILineageStore
    {
        await RecordDataPlaneAsync(store);
        var model = SyntheticModel();
        await new ModelLineageRecorder(store).RecordModelAsync(model);
        await new DataPlaneLineageRecorder(store).RecordPipelineEndAsync(RootRunId, RunState.Completed, null, model.Recording.EndedAt);
        return store;
    }

    /// <summary>
    /// A model lineage as a training would report it: 4 evaluation subjects x 2 items recommended, each with token/feature
    /// attributions and two influential training examples, and three suspicious-row findings.
    /// </summary>
    public ModelLineage SyntheticModel()
    {
        var table = Examples;
        var examples = ExamplesVersion;
        var model = new TrainedModelInfo("shop-ranker", "1", "https://devstoreaccount1.blob.core.windows.net/models/shop-ranker/1/model.safetensors", Sha256Digest.Compute("weights"u8));
        var train = table.RowsOf(ExamplesSchema.TrainSplit);
        var subjects = table.RowsOf(ExamplesSchema.EvalSplit).Select(i => table.Subjects[i]).Distinct(StringComparer.Ordinal).Take(4).ToArray();
        var items = table.ItemIds.Distinct(StringComparer.Ordinal).Take(2).ToArray();
        RecommendationRecord[] recommendations =
        [
            .. subjects.SelectMany(subject => items.Select((item, k) => new RecommendationRecord
            {
                ModelVersion = model.Id, Subject = subject, ItemId = item, Rank = k + 1, Score = 0.9 - (0.1 * k),
            })),
        ];
        InfluentialExample Example(int ordinal, double score) =>
            new(ordinal, table.ExampleIds[ordinal].ToString(CultureInfo.InvariantCulture), table.Labels[ordinal], score);
        AttributionRecord[] attributions =
        [
            .. recommendations.Select((r, n) => new AttributionRecord
            {
                Recommendation = r.Id,
                ModelVersion = model.Id,
                TrainingExamples = examples,
                Subject = r.Subject,
                ItemId = r.ItemId,
                Tokens = [new TokenAttribution(1, "wool", "context", 0.4), new TokenAttribution(5, "hat", "item", 0.3)],
                Features = [new FeatureAttribution("price", 1.5, 0.1)],
                TopExamples = [Example(train[n], 0.8), Example(train[n + 1], -0.2)],
                Method = FacetSet.Empty.With("integratedGradients", new { steps = 50 }),
            }),
        ];
        return new ModelLineage
        {
            RootRunId = RootRunId,
            Training = new TrainingRunLineage
            {
                Timing = new ActivityTiming(TrainingStart, TrainingStart.AddMinutes(30)),
                HyperParameters = new Dictionary<string, object?> { ["learningRate"] = 5e-5, ["epochs"] = 2, ["configuration"] = "small" },
                Metrics = new Dictionary<string, double> { ["ndcg@10"] = 0.41, ["trainLoss"] = 0.52 },
            },
            ExamplesVersion = examples,
            BaseModel = BaseModel,
            Model = model,
            Recommendations = recommendations,
            Attributions = attributions,
            Findings = [.. train.Take(3).Select((o, k) => new SuspiciousRowFinding(model.Id, examples, o, table.ExampleIds[o].ToString(CultureInfo.InvariantCulture), table.Labels[o], 2.0 - k, k + 1))],
            TrainingExamplesPerSubject = SubjectCounts.OfExamples(table, ExamplesSchema.TrainSplit),
            AttributionMethods = ["integratedGradients", "tracIn"],
            MeanIgCompletenessError = 0.004,
            Recording = new ActivityTiming(TrainingStart.AddMinutes(31), TrainingStart.AddMinutes(32)),
        };
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();

    [GeneratedRegex(@"u-\d{6}")]
    private static partial Regex UserId();
}
