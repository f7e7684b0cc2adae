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

    Task<CleaningOutput> CleanEventsAsync(CleanEventsInput input, CancellationToken cancellationToken);

    Task<ExamplesOutput> BuildExamplesAsync(BuildExamplesInput input, CancellationToken cancellationToken);

    /// <summary>Queues the training job (blob references only) and returns it; re-queuing the same job is harmless.</summary>
    Task<TrainingJob> SubmitTrainingAsync(SubmitTrainingInput input, CancellationToken cancellationToken);

    Task<ModelOutput> RecordModelLineageAsync(RecordModelInput input, CancellationToken cancellationToken);

    /// <summary>Records one step as FAILED with its error.</summary>
    Task<RunState> RecordStepFailureAsync(StepFailureInput input, CancellationToken cancellationToken);

    /// <summary>Ends the orchestration run in lineage and logs (and forwards) its OpenLineage events.</summary>
    Task<FinalizeOutput> FinalizeRunAsync(FinalizeRunInput input, CancellationToken cancellationToken);
}
