using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>
/// What one training produced, for <see cref="ModelLineageRecorder.RecordModelAsync"/>: the training run, the examples it
/// trained on, the base and fine-tuned model, and the recommendations, attributions and suspicious-row findings made with it.
/// </summary>
public sealed record ModelLineage
{
    /// <summary>The orchestration run the training and recording activities belong to.</summary>
    public required Guid RootRunId { get; init; }

    public string JobNamespace { get; init; } = LineageNames.DefaultJobNamespace;

    public required TrainingRunLineage Training { get; init; }

    /// <summary>The examples dataset version the model was trained on; attribution and finding ordinals are its rows.</summary>
    public required NodeId ExamplesVersion { get; init; }

    /// <summary>The pretrained model fine-tuning started from; null when trained from scratch.</summary>
    public BaseModelInfo? BaseModel { get; init; }

    public required TrainedModelInfo Model { get; init; }

    public IReadOnlyList<RecommendationRecord> Recommendations { get; init; } = [];

    public IReadOnlyList<AttributionRecord> Attributions { get; init; } = [];

    public IReadOnlyList<SuspiciousRowFinding> Findings { get; init; } = [];

    /// <summary>Training examples per pseudonymised subject (the rows of theirs the model learned from).</summary>
    public IReadOnlyDictionary<string, long> TrainingExamplesPerSubject { get; init; } = new Dictionary<string, long>();

    /// <summary>Attribution methods used, e.g. <c>integratedGradients</c>, <c>tracIn</c>.</summary>
    public IReadOnlyList<string> AttributionMethods { get; init; } = [];

    /// <summary>Mean relative Integrated Gradients completeness error over the attributions, when measured.</summary>
    public double? MeanIgCompletenessError { get; init; }

    /// <summary>When the record-lineage activity ran.</summary>
    public required ActivityTiming Recording { get; init; }

    /// <summary>The training run's id: <see cref="RunIds.ForActivity"/> of <see cref="LineageNames.TrainModelJob"/>.</summary>
    public Guid TrainingRunId => RunIds.ForActivity(RootRunId, LineageNames.TrainModelJob);

    /// <summary>The record-lineage run's id: <see cref="RunIds.ForActivity"/> of <see cref="LineageNames.RecordModelLineageJob"/>.</summary>
    public Guid RecordingRunId => RunIds.ForActivity(RootRunId, LineageNames.RecordModelLineageJob);
}

/// <summary>The fine-tuning run: when it ran, its hyper-parameters (any JSON-serializable values) and its metrics.</summary>
public sealed record TrainingRunLineage
{
    public required ActivityTiming Timing { get; init; }

    /// <summary>Hyper-parameters by name; values serialize with System.Text.Json (camelCase, nulls omitted).</summary>
    public IReadOnlyDictionary<string, object?> HyperParameters { get; init; } = new Dictionary<string, object?>();

    /// <summary>Final metrics by name (losses, NDCG, AUC, ...); NaN and infinities are recorded by name.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
}

/// <summary>A pretrained model version, e.g. <c>all-MiniLM-L6-v2</c> with <paramref name="Source"/> "all-MiniLM-L6-v2 ONNX sha256:...".</summary>
public sealed record BaseModelInfo(string Name, string Version, string Source)
{
    public NodeId Id => NodeId.ModelVersion(Name, Version);
}

/// <summary>The fine-tuned model version and its weights' location and hash.</summary>
public sealed record TrainedModelInfo(string Name, string Version, string ArtifactUri, Sha256Digest ArtifactSha256)
{
    public NodeId Id => NodeId.ModelVersion(Name, Version);
}
