using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Jobs;

/// <summary>
/// The message on the <c>training-jobs</c> queue: what the GPU worker trains on and where it writes. Blob references only,
/// never payloads; the worker verifies the examples' SHA-256 before training. A wire format: add fields, never rename them.
/// </summary>
public sealed record TrainingJob
{
    /// <summary>Stable across redeliveries: the same job id always means the same work and the same artifacts.</summary>
    public required string JobId { get; init; }

    /// <summary>The orchestration run the job belongs to (its result is raised on that orchestration).</summary>
    public required Guid RootRunId { get; init; }

    /// <summary>The orchestration instance to notify.</summary>
    public required string InstanceId { get; init; }

    /// <summary>The example dataset version to train and evaluate on.</summary>
    public required DatasetVersionRef Examples { get; init; }

    /// <summary>Model configuration name: <c>tiny</c>, <c>minilm</c> or <c>minilm-full</c>.</summary>
    public required string ModelConfiguration { get; init; }

    public int Epochs { get; init; } = 3;

    public int BatchSize { get; init; } = 32;

    /// <summary>Null: the configuration's default learning rate.</summary>
    public double? LearningRate { get; init; }

    public int Seed { get; init; } = 42;

    /// <summary>Recommendations per evaluation context.</summary>
    public int TopK { get; init; } = 10;

    /// <summary>Training examples kept per explained recommendation (TracIn proponents and opponents).</summary>
    public int InfluentialExamples { get; init; } = 10;

    /// <summary>Most self-influential training examples reported as suspicious-row findings.</summary>
    public int SuspiciousRows { get; init; } = 50;

    /// <summary>
    /// Evaluation contexts (subjects, in subject order) that get recommendations; null: every one. A cap keeps scoring every
    /// candidate item per context affordable for a pretrained configuration on a CPU.
    /// </summary>
    public int? RecommendedContexts { get; init; }

    /// <summary>
    /// Recommended contexts whose top recommendations are explained (Integrated Gradients and TracIn), the first ones in subject
    /// order; 0 explains none. Explaining costs ~0.5 s per recommendation for MiniLM on a CPU, so it is capped separately.
    /// </summary>
    public int ExplainedContexts { get; init; } = 20;

    /// <summary>Top recommendations explained per explained context (1 explains the best item only); at most <see cref="TopK"/>.</summary>
    public int ExplainedRanks { get; init; } = 1;

    /// <summary>Blob container and folder the worker writes its artifacts and <c>manifest.json</c> to.</summary>
    public required string OutputContainer { get; init; }

    public required string OutputPrefix { get; init; }

    public static readonly string[] KnownConfigurations = ["tiny", "minilm", "minilm-full"];

    /// <summary>What is wrong with this job; empty when it can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(JobId) || JobId.Length > 200)
        {
            errors.Add("jobId is 1-200 characters.");
        }

        if (RootRunId == Guid.Empty)
        {
            errors.Add("rootRunId is a non-empty UUID.");
        }

        if (string.IsNullOrWhiteSpace(InstanceId))
        {
            errors.Add("instanceId is required.");
        }

        if (Examples is null || Examples.Sha256.Hex is null || string.IsNullOrWhiteSpace(Examples.BlobName))
        {
            errors.Add("examples names a blob and its SHA-256.");
        }

        if (!KnownConfigurations.Contains(ModelConfiguration, StringComparer.Ordinal))
        {
            errors.Add($"modelConfiguration is one of {string.Join(", ", KnownConfigurations)}; got '{ModelConfiguration}'.");
        }

        foreach (var (name, value) in new[] { ("epochs", Epochs), ("batchSize", BatchSize), ("topK", TopK), ("influentialExamples", InfluentialExamples), ("suspiciousRows", SuspiciousRows) })
        {
            if (value < 1)
            {
                errors.Add($"{name} is at least 1; got {value}.");
            }
        }

        if (RecommendedContexts is < 1)
        {
            errors.Add($"recommendedContexts is at least 1 when set; got {RecommendedContexts}.");
        }

        if (ExplainedContexts < 0)
        {
            errors.Add($"explainedContexts is at least 0; got {ExplainedContexts}.");
        }

        if (ExplainedRanks < 1 || ExplainedRanks > TopK)
        {
            errors.Add($"explainedRanks is between 1 and topK ({TopK}); got {ExplainedRanks}.");
        }

        if (LearningRate is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            errors.Add($"learningRate is a positive number; got {rate}.");
        }

        if (string.IsNullOrWhiteSpace(OutputContainer) || string.IsNullOrWhiteSpace(OutputPrefix))
        {
            errors.Add("outputContainer and outputPrefix are required.");
        }

        return errors;
    }
}
