using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>One version of one blob: what a storage event names and what a run is pinned to.</summary>
public sealed record BlobVersion(string Container, string Name, string ETag)
{
    public override string ToString() => $"{Container}/{Name} (ETag {ETag})";
}

/// <summary>
/// The orchestration's input: the blob versions to process and the training settings. Fixed when the run starts (the newest
/// catalog is resolved then), so replays and retries see the same inputs.
/// </summary>
public sealed record PipelineRunRequest
{
    public required BlobVersion Events { get; init; }

    public required BlobVersion Catalog { get; init; }

    /// <summary>When the run was requested; the cleaning rules' "now" (future timestamps are judged against it).</summary>
    public required DateTimeOffset RequestedAt { get; init; }

    public string ModelConfiguration { get; init; } = "tiny";

    public int Epochs { get; init; } = 3;

    public int BatchSize { get; init; } = 32;

    public double? LearningRate { get; init; }

    public int Seed { get; init; } = 42;

    public int TopK { get; init; } = 10;

    /// <summary>How long to wait for the GPU worker's result before failing the run.</summary>
    public TimeSpan TrainingTimeout { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Retries with backoff for every activity call.</summary>
    public ActivityRetry Retry { get; init; } = new();

    /// <summary>What is wrong with this request; empty when it can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Events is null || string.IsNullOrWhiteSpace(Events.Container) || string.IsNullOrWhiteSpace(Events.Name) || string.IsNullOrWhiteSpace(Events.ETag))
        {
            errors.Add("events names a blob container, name and ETag.");
        }

        if (Catalog is null || string.IsNullOrWhiteSpace(Catalog.Container) || string.IsNullOrWhiteSpace(Catalog.Name) || string.IsNullOrWhiteSpace(Catalog.ETag))
        {
            errors.Add("catalog names a blob container, name and ETag.");
        }

        if (!TrainingJob.KnownConfigurations.Contains(ModelConfiguration, StringComparer.Ordinal))
        {
            errors.Add($"modelConfiguration is one of {string.Join(", ", TrainingJob.KnownConfigurations)}; got '{ModelConfiguration}'.");
        }

        foreach (var (name, value) in new[] { ("epochs", Epochs), ("batchSize", BatchSize), ("topK", TopK) })
        {
            if (value < 1)
            {
                errors.Add($"{name} is at least 1; got {value}.");
            }
        }

        if (LearningRate is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            errors.Add($"learningRate is a positive number; got {rate}.");
        }

        if (TrainingTimeout <= TimeSpan.Zero || TrainingTimeout > TimeSpan.FromDays(7))
        {
            errors.Add($"trainingTimeout is between 0 and 7 days; got {TrainingTimeout}.");
        }

        return errors;
    }
}

/// <summary>Input of the activity that records the orchestration run as started.</summary>
public sealed record StartRunInput(string InstanceId, DateTimeOffset StartedAt, PipelineRunRequest Request);

/// <summary>Input of the cleaning planner (the first cleaning activity).</summary>
public sealed record CleanEventsInput(Guid RootRunId, PipelineRunRequest Request);

/// <summary>The events file that was planned (pinned and hashed) and how it is cut into shards.</summary>
public sealed record CleaningPlanOutput
{
    public required DatasetVersionRef RawEvents { get; init; }

    public required CleaningShardPlan Plan { get; init; }

    /// <summary>When the cleaning step started (its lineage run's start).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    public double Seconds { get; init; }
}

/// <summary>Input of one cleaning shard: the run, its request, the plan's file figures (without the shard list) and the shard.</summary>
public sealed record CleanShardInput(Guid RootRunId, PipelineRunRequest Request, CleaningShardPlan Plan, CleaningShard Shard);

/// <summary>Input of the cleaning merge: the plan and every shard's result, in shard order.</summary>
public sealed record MergeCleaningInput(Guid RootRunId, PipelineRunRequest Request, CleaningPlanOutput Plan, IReadOnlyList<CleaningShardResult> Shards);

/// <summary>What cleaning read and published.</summary>
public sealed record CleaningOutput
{
    public required DatasetVersionRef RawEvents { get; init; }

    public required DatasetVersionRef RawCatalog { get; init; }

    public required DatasetVersionRef CleanedEvents { get; init; }

    public required DatasetVersionRef Catalog { get; init; }

    public required DatasetVersionRef Quarantine { get; init; }

    public long RowsIn { get; init; }

    public long RowsClean { get; init; }

    public long RowsQuarantined { get; init; }

    public long CatalogItems { get; init; }

    public long CatalogRowsQuarantined { get; init; }

    /// <summary>Byte-range shards the events were cleaned in.</summary>
    public int Shards { get; init; } = 1;

    public double Seconds { get; init; }
}

/// <summary>Input of the example-building activity.</summary>
public sealed record BuildExamplesInput(Guid RootRunId, CleaningOutput Cleaning);

/// <summary>What example building published.</summary>
public sealed record ExamplesOutput
{
    public required DatasetVersionRef Examples { get; init; }

    public long TrainExamples { get; init; }

    public long EvalExamples { get; init; }

    public double Seconds { get; init; }
}

/// <summary>Input of the activity that queues the training job.</summary>
public sealed record SubmitTrainingInput(Guid RootRunId, string InstanceId, DatasetVersionRef Examples, PipelineRunRequest Request);

/// <summary>Input of the activity that records the model lineage from the worker's manifest.</summary>
public sealed record RecordModelInput(Guid RootRunId, DatasetVersionRef Manifest);

/// <summary>What was recorded about the trained model.</summary>
public sealed record ModelOutput
{
    public required string ModelName { get; init; }

    public required string ModelVersion { get; init; }

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public int Recommendations { get; init; }

    public int Attributions { get; init; }

    public int Findings { get; init; }

    /// <summary>The worker's seconds per stage (download, train, evaluate, recommend, attribute, upload).</summary>
    public IReadOnlyDictionary<string, double> WorkerStageSeconds { get; init; } = new Dictionary<string, double>();

    public string? Device { get; init; }

    public double Seconds { get; init; }
}

/// <summary>Input of the activity that records one failed step of the run.</summary>
public sealed record StepFailureInput(Guid RootRunId, string JobName, string Error, DateTimeOffset At);

/// <summary>Input of the activity that ends the run in lineage and emits its OpenLineage events.</summary>
public sealed record FinalizeRunInput(Guid RootRunId, RunState State, string? Error, DateTimeOffset At);

/// <summary>What finalizing did.</summary>
public sealed record FinalizeOutput(int OpenLineageEvents, int Delivered, int LeftForReplay);

/// <summary>
/// The orchestration's custom status, readable while it runs (<c>lineage status</c>, <c>GET /api/runs/{runId}</c>): the
/// stage it is in and the figures so far.
/// </summary>
public sealed record PipelineStatus
{
    public required Guid RootRunId { get; init; }

    /// <summary>One of <see cref="PipelineStages"/>.</summary>
    public required string Stage { get; init; }

    public string? Message { get; init; }

    public string? TrainingJobId { get; init; }

    /// <summary>Figures so far: rows in, clean, quarantined, examples, model metrics.</summary>
    public IReadOnlyDictionary<string, double> Figures { get; init; } = new Dictionary<string, double>();

    /// <summary>Seconds per finished stage, measured in the orchestration's (replay-safe) clock.</summary>
    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>Stage names shown in <see cref="PipelineStatus.Stage"/>.</summary>
public static class PipelineStages
{
    public const string Starting = "starting";
    public const string Cleaning = "cleaning";
    public const string BuildingExamples = "building-examples";
    public const string SubmittingTraining = "submitting-training";
    public const string Training = "training";
    public const string RecordingModel = "recording-model";
    public const string Finalizing = "finalizing";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>The orchestration's output when the run completed.</summary>
public sealed record PipelineOutcome
{
    public required Guid RootRunId { get; init; }

    public required CleaningOutput Cleaning { get; init; }

    public required ExamplesOutput Examples { get; init; }

    public required string TrainingJobId { get; init; }

    public required DatasetVersionRef Manifest { get; init; }

    public required ModelOutput Model { get; init; }

    public int TrainingAttempts { get; init; }

    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    public FinalizeOutput? Finalize { get; init; }
}
