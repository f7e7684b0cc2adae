namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>
/// The durable names of the pipeline's orchestrator, activities and external event: the contract between the shared
/// registration (<see cref="PipelineRegistration"/>), the Functions app's one-line wrappers and anything that raises events.
/// Renaming one breaks in-flight orchestrations.
/// </summary>
public static class PipelineTaskNames
{
    public const string Orchestrator = "PipelineOrchestrator";

    public const string StartRun = "StartRun";

    /// <summary>Pins and hashes the events file, checks its header and cuts it into byte-range shards at record boundaries.</summary>
    public const string PlanCleaning = "PlanCleaning";

    /// <summary>Cleans one shard into a spool (fanned out, one per shard).</summary>
    public const string CleanShard = "CleanShard";

    /// <summary>Merges the shards' spools into the cleaned dataset and quarantine, and records the cleaning lineage (the fan-in).</summary>
    public const string MergeCleaning = "MergeCleaning";

    public const string BuildExamples = "BuildExamples";

    public const string SubmitTraining = "SubmitTraining";

    public const string RecordModelLineage = "RecordModelLineage";

    public const string RecordStepFailure = "RecordStepFailure";

    public const string FinalizeRun = "FinalizeRun";

    /// <summary>Raised on the orchestration by the result relay when the GPU worker posts a <c>TrainingResult</c>.</summary>
    public const string TrainingCompletedEvent = "TrainingCompleted";

    /// <summary>Every activity name, for registration checks.</summary>
    public static IReadOnlyList<string> Activities { get; } =
        [StartRun, PlanCleaning, CleanShard, MergeCleaning, BuildExamples, SubmitTraining, RecordModelLineage, RecordStepFailure, FinalizeRun];
}
