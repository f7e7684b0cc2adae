using Microsoft.Azure.Functions.Worker;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Pipeline.Orchestration;

namespace ServerlessLineage.Functions.Durable;

/// <summary>
/// The pipeline's activities, bound to the Functions durable extension by name; each delegates to the injected
/// <see cref="IPipelineActivities"/> (the real <see cref="PipelineActivities"/> in the app). Inputs are required: a null input
/// is a broken caller, reported as such rather than as a null reference deep in an activity.
/// </summary>
public sealed class PipelineActivityFunctions(IPipelineActivities activities)
{
    [Function(PipelineTaskNames.StartRun)]
    public Task<Guid> StartRun([ActivityTrigger] StartRunInput input, CancellationToken cancellationToken) =>
        activities.StartRunAsync(Required(input), cancellationToken);

    [Function(PipelineTaskNames.PlanCleaning)]
    public Task<CleaningPlanOutput> PlanCleaning([ActivityTrigger] CleanEventsInput input, CancellationToken cancellationToken) =>
        activities.PlanCleaningAsync(Required(input), cancellationToken);

    [Function(PipelineTaskNames.CleanShard)]
    public Task<CleaningShardResult> CleanShard([ActivityTrigger] CleanShardInput input, CancellationToken cancellationToken) =>
        activities.CleanShardAsync(Required(input), cancellationToken);

    [Function(PipelineTaskNames.MergeCleaning)]
    public Task<CleaningOutput> MergeCleaning([ActivityTrigger] MergeCleaningInput input, CancellationToken cancellationToken) =>
        activities.MergeCleaningAsync(Required(input), cancellationToken);

    [Function(PipelineTaskNames.BuildExamples)]
    public Task<ExamplesOutput> BuildExamples([ActivityTrigger] BuildExamplesInput input, CancellationToken cancellationToken) =>
        activities.BuildExamplesAsync(Required(input), cancellationToken);

    [Function(PipelineTaskNames.SubmitTraining)]
    public Task<TrainingJob> SubmitTraining([ActivityTrigger] SubmitTrainingInput input, CancellationToken cancellationToken) =>
        activities.SubmitTrainingAsync(Required(input), cancellationToken);

    [Function(PipelineTaskNames.RecordModelLineage)]
    public Task<ModelOutput> RecordModelLineage([ActivityTrigger] RecordModelInput input, CancellationToken cancellationToken) =>
        activities.RecordModelLineageAsync(Required(input), cancellationToken);

    [Function(PipelineTaskNames.RecordStepFailure)]
    public Task<RunState> RecordStepFailure([ActivityTrigger] StepFailureInput input, CancellationToken cancellationToken) =>
        activities.RecordStepFailureAsync(Required(input), cancellationToken);

    [Function(PipelineTaskNames.FinalizeRun)]
    public Task<FinalizeOutput> FinalizeRun([ActivityTrigger] FinalizeRunInput input, CancellationToken cancellationToken) =>
        activities.FinalizeRunAsync(Required(input), cancellationToken);

    private static T Required<T>(T? input)
        where T : class =>
        input ?? throw new ArgumentNullException(nameof(input), $"The activity received no {typeof(T).Name}.");
}
