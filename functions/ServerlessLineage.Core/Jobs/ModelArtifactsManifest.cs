using System.Text.Json;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Records;

namespace ServerlessLineage.Core.Jobs;

/// <summary>
/// The GPU worker's <c>manifest.json</c>: what one training job produced, written last (after every artifact it names is
/// uploaded), so its presence means the job's output is complete. The pipeline records the model lineage from it alone: every
/// artifact is named with its SHA-256, and the recommendation, attribution and finding records are JSON-lines artifacts
/// (<see cref="ModelArtifactRecords"/>). A wire format: add fields, never rename them.
/// </summary>
public sealed record ModelArtifactsManifest
{
    public const string FileName = "manifest.json";

    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required string JobId { get; init; }

    public required Guid RootRunId { get; init; }

    /// <summary>The example dataset version trained on, as the job named it (its SHA-256 was verified before training).</summary>
    public required DatasetVersionRef Examples { get; init; }

    /// <summary>Model configuration name (<c>tiny</c>, <c>minilm</c>, <c>minilm-full</c>).</summary>
    public required string ModelConfiguration { get; init; }

    /// <summary>Name of the trained model (the lineage model node).</summary>
    public required string ModelName { get; init; }

    /// <summary>Version of the trained model: <c>sha256:&lt;hex&gt;</c> of its weights file.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>The final weights (safetensors).</summary>
    public required DatasetVersionRef Weights { get; init; }

    /// <summary>The training checkpoints TracIn used, oldest first.</summary>
    public IReadOnlyList<DatasetVersionRef> Checkpoints { get; init; } = [];

    /// <summary>The trainer's own manifest (configuration, per-checkpoint learning rates and losses, timings).</summary>
    public DatasetVersionRef? TrainingManifest { get; init; }

    /// <summary>The pretrained model fine-tuned from; null for a randomly initialised configuration.</summary>
    public BaseModelInfo? BaseModel { get; init; }

    /// <summary>JSON lines of <see cref="RecommendationRecord"/>.</summary>
    public required DatasetVersionRef Recommendations { get; init; }

    /// <summary>JSON lines of <see cref="AttributionRecord"/>.</summary>
    public required DatasetVersionRef Attributions { get; init; }

    /// <summary>JSON lines of <see cref="SuspiciousRowFinding"/>.</summary>
    public required DatasetVersionRef Findings { get; init; }

    public IReadOnlyDictionary<string, JsonElement> HyperParameters { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Model metrics on the evaluation split (AUC, log loss, NDCG@10, the popularity baseline's) and training figures.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Training examples per pseudonymised subject (the subject index's model rows).</summary>
    public IReadOnlyDictionary<string, long> TrainingExamplesPerSubject { get; init; } = new Dictionary<string, long>();

    public IReadOnlyList<string> AttributionMethods { get; init; } = [];

    public double? MeanIgCompletenessError { get; init; }

    /// <summary>Seconds per worker stage (download, train, evaluate, recommend, attribute, upload).</summary>
    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    /// <summary>Where it ran: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public string? Device { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndedAt { get; init; }

    public static JsonSerializerOptions JsonOptions => JobMessages.JsonOptions;

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and validates a manifest; a malformed or inconsistent one is a <see cref="JobMessageException"/>.</summary>
    public static ModelArtifactsManifest Parse(string json)
    {
        ModelArtifactsManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelArtifactsManifest>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new JobMessageException($"The model manifest is not valid JSON of that shape: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new JobMessageException("The model manifest is null.");
        }

        var errors = manifest.Validate();
        return errors.Count > 0 ? throw new JobMessageException($"The model manifest is not valid: {string.Join(" ", errors)}") : manifest;
    }

    /// <summary>What is wrong with this manifest; empty when it is consistent.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SchemaVersion != CurrentSchemaVersion)
        {
            errors.Add($"schemaVersion {SchemaVersion} is not supported (expected {CurrentSchemaVersion}).");
        }

        if (string.IsNullOrWhiteSpace(JobId) || RootRunId == Guid.Empty)
        {
            errors.Add("jobId and rootRunId are required.");
        }

        if (string.IsNullOrWhiteSpace(ModelName) || string.IsNullOrWhiteSpace(ModelVersion))
        {
            errors.Add("modelName and modelVersion are required.");
        }

        foreach (var (name, artifact) in new[] { ("examples", Examples), ("weights", Weights), ("recommendations", Recommendations), ("attributions", Attributions), ("findings", Findings) })
        {
            if (artifact is null || artifact.Sha256.Hex is null || string.IsNullOrWhiteSpace(artifact.BlobName))
            {
                errors.Add($"{name} names a blob and its SHA-256.");
            }
        }

        if (Weights?.Sha256.Hex is { } weights && !string.Equals(ModelVersion, "sha256:" + weights, StringComparison.Ordinal))
        {
            errors.Add($"modelVersion is the weights' version sha256:{weights}; got '{ModelVersion}'.");
        }

        if (EndedAt < StartedAt)
        {
            errors.Add("endedAt is not before startedAt.");
        }

        return errors;
    }

    /// <summary>The model node this manifest describes.</summary>
    public TrainedModelInfo TrainedModel(string artifactUri) => new(ModelName, ModelVersion, artifactUri, Weights.Sha256);

    /// <summary>The lineage to record for this manifest and its record artifacts.</summary>
    public ModelLineage ToModelLineage(
        string weightsUri,
        IReadOnlyList<RecommendationRecord> recommendations,
        IReadOnlyList<AttributionRecord> attributions,
        IReadOnlyList<SuspiciousRowFinding> findings,
        ActivityTiming recording,
        string jobNamespace = LineageNames.DefaultJobNamespace)
    {
        var metrics = new Dictionary<string, double>(Metrics, StringComparer.Ordinal);
        var hyper = HyperParameters.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
        hyper.TryAdd("configuration", JsonSerializer.SerializeToElement(ModelConfiguration));
        return new ModelLineage
        {
            RootRunId = RootRunId,
            JobNamespace = jobNamespace,
            Training = new TrainingRunLineage { Timing = new ActivityTiming(StartedAt, EndedAt), HyperParameters = hyper, Metrics = metrics },
            ExamplesVersion = NodeId.DatasetVersion(Examples),
            BaseModel = BaseModel,
            Model = TrainedModel(weightsUri),
            Recommendations = recommendations,
            Attributions = attributions,
            Findings = findings,
            TrainingExamplesPerSubject = TrainingExamplesPerSubject,
            AttributionMethods = AttributionMethods,
            MeanIgCompletenessError = MeanIgCompletenessError,
            Recording = recording,
        };
    }
}
