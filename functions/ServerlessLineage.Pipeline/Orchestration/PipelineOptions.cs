using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Storage.Blobs;
using ServerlessLineage.Storage.Queues;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>Settings of the pipeline's activities (configuration section <c>Pipeline</c>).</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipeline";

    /// <summary>Smallest allowed <see cref="CleaningShardBytes"/> (small shards are for tests; each costs an activity).</summary>
    public const long MinCleaningShardBytes = 1024;

    /// <summary>Local scratch folder for downloads and staged outputs; each activity uses (and deletes) its own subfolder.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "serverlesslineage-activities");

    /// <summary>OpenLineage job namespace of the pipeline's jobs.</summary>
    public string JobNamespace { get; set; } = LineageNames.DefaultJobNamespace;

    /// <summary>How examples are built (evaluation share, sequence length, context items).</summary>
    public ExampleOptions Examples { get; set; } = new();

    /// <summary>Container the GPU worker writes model artifacts to.</summary>
    public string ModelsContainer { get; set; } = ContainerNames.Models;

    /// <summary>Queue the training jobs go to.</summary>
    public string TrainingJobsQueue { get; set; } = QueueNames.TrainingJobs;

    /// <summary>Container whose newest blob is the catalog a run uses (pinned by ETag when the run starts).</summary>
    public string CatalogContainer { get; set; } = ContainerNames.Catalog;

    /// <summary>Default model configuration of a run: <c>tiny</c>, <c>minilm</c> or <c>minilm-full</c>.</summary>
    public string ModelConfiguration { get; set; } = "tiny";

    /// <summary>Default training epochs of a run.</summary>
    public int Epochs { get; set; } = 3;

    /// <summary>How long a run waits for the GPU worker's result before it fails.</summary>
    public TimeSpan TrainingTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Container of intermediate files between activities (the cleaning shards' spools), deleted when the run ends.</summary>
    public string WorkContainer { get; set; } = ContainerNames.PipelineWork;

    /// <summary>
    /// Target size of a cleaning shard: the events file is cleaned as byte-range shards of about this size in parallel
    /// activities (cut at record boundaries), then merged. A file not larger than this is cleaned by one activity.
    /// </summary>
    public long CleaningShardBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most shards one file is cut into; a larger file gets larger shards.</summary>
    public int MaxCleaningShards { get; set; } = 256;

    /// <summary>The shard size for a file of <paramref name="fileBytes"/>: <see cref="CleaningShardBytes"/>, raised to respect <see cref="MaxCleaningShards"/>.</summary>
    public long ShardBytesFor(long fileBytes) => Math.Max(CleaningShardBytes, (fileBytes + MaxCleaningShards - 1) / MaxCleaningShards);

    /// <summary>What is wrong with these options; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(WorkDirectory))
        {
            errors.Add($"{SectionName}:{nameof(WorkDirectory)} is required.");
        }

        if (string.IsNullOrWhiteSpace(JobNamespace))
        {
            errors.Add($"{SectionName}:{nameof(JobNamespace)} is required.");
        }

        if (CleaningShardBytes < MinCleaningShardBytes)
        {
            errors.Add($"{SectionName}:{nameof(CleaningShardBytes)} must be at least {MinCleaningShardBytes} bytes.");
        }

        if (MaxCleaningShards is < 1 or > 10_000)
        {
            errors.Add($"{SectionName}:{nameof(MaxCleaningShards)} must be between 1 and 10000.");
        }

        if (string.IsNullOrWhiteSpace(WorkContainer))
        {
            errors.Add($"{SectionName}:{nameof(WorkContainer)} is required.");
        }

        try
        {
            Examples.Validate();
        }
        catch (ArgumentException e)
        {
            errors.Add($"{SectionName}:{nameof(Examples)}: {e.Message}");
        }

        return errors;
    }
}
