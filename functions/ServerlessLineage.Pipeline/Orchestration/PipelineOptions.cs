using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Storage.Blobs;
using ServerlessLineage.Storage.Queues;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>Settings of the pipeline's activities (configuration section <c>Pipeline</c>).</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipeline";

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
