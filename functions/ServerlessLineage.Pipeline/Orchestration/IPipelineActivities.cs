using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>
/// The pipeline's activities: each does its work, publishes content-addressed outputs and writes the lineage of what it did,
/// idempotently, so an at-least-once re-execution changes nothing. <see cref="PipelineActivities"/> is the real implementation;
/// the seam lets orchestration tests inject failures.
/// </summary>
public interface IPipelineActivities
{
    /// <summary>Records the orchestration run as RUNNING; returns its run id.</summary>
    Task<Guid> StartRunAsync(StartRunInput input, CancellationToken cancellationToken);

    /// <summary>Pins and hashes the events file, checks it is the contract, records the cleaning step as started and plans its shards.</summary>
    Task<CleaningPlanOutput> PlanCleaningAsync(CleanEventsInput input, CancellationToken cancellationToken);

    /// <summary>Cleans one byte-range shard of the events into a spool in the work container; a re-run writes the same spool.</summary>
    Task<CleaningShardResult> CleanShardAsync(CleanShardInput input, CancellationToken cancellationToken);

    /// <summary>Merges the spools into the cleaned dataset, catalog and quarantine, publishes them and records the cleaning lineage.</summary>
    Task<CleaningOutput> MergeCleaningAsync(MergeCleaningInput input, CancellationToken cancellationToken);

    Task<ExamplesOutput> BuildExamplesAsync(BuildExamplesInput input, CancellationToken cancellationToken);

    /// <summary>Queues the training job (blob references only) and returns it; re-queuing the same job is harmless.</summary>
    Task<TrainingJob> SubmitTrainingAsync(SubmitTrainingInput input, CancellationToken cancellationToken);

    Task<ModelOutput> RecordModelLineageAsync(RecordModelInput input, CancellationToken cancellationToken);

    /// <summary>Records one step as FAILED with its error.</summary>
    Task<RunState> RecordStepFailureAsync(StepFailureInput input, CancellationToken cancellationToken);

    /// <summary>Ends the orchestration run in lineage and logs (and forwards) its OpenLineage events.</summary>
    Task<FinalizeOutput> FinalizeRunAsync(FinalizeRunInput input, CancellationToken cancellationToken);
}
