using Microsoft.DurableTask;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>
/// The one registration of the pipeline's orchestrator and activities, used by the local host and the tests (the Functions app
/// binds the same names through its one-line wrappers).
/// </summary>
public static class PipelineRegistration
{
    /// <summary>Registers <see cref="PipelineOrchestrator"/> and every activity of <paramref name="activities"/>.</summary>
    public static DurableTaskRegistry AddPipeline(this DurableTaskRegistry registry, IPipelineActivities activities)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(activities);
        registry.AddOrchestratorFunc<PipelineRunRequest, PipelineOutcome>(PipelineTaskNames.Orchestrator, PipelineOrchestrator.RunAsync);
        registry.AddActivityFunc<StartRunInput, Guid>(PipelineTaskNames.StartRun, (_, input) => activities.StartRunAsync(Required(input), CancellationToken.None));
        registry.AddActivityFunc<CleanEventsInput, CleaningPlanOutput>(PipelineTaskNames.PlanCleaning, (_, input) => activities.PlanCleaningAsync(Required(input), CancellationToken.None));
        registry.AddActivityFunc<CleanShardInput, Core.Cleaning.CleaningShardResult>(PipelineTaskNames.CleanShard, (_, input) => activities.CleanShardAsync(Required(input), CancellationToken.None));
        registry.AddActivityFunc<MergeCleaningInput, CleaningOutput>(PipelineTaskNames.MergeCleaning, (_, input) => activities.MergeCleaningAsync(Required(input), CancellationToken.None));
        registry.AddActivityFunc<BuildExamplesInput, ExamplesOutput>(PipelineTaskNames.BuildExamples, (_, input) => activities.BuildExamplesAsync(Required(input), CancellationToken.None));
        registry.AddActivityFunc<SubmitTrainingInput, Core.Jobs.TrainingJob>(PipelineTaskNames.SubmitTraining, (_, input) => activities.SubmitTrainingAsync(Required(input), CancellationToken.None));
        registry.AddActivityFunc<RecordModelInput, ModelOutput>(PipelineTaskNames.RecordModelLineage, (_, input) => activities.RecordModelLineageAsync(Required(input), CancellationToken.None));
        registry.AddActivityFunc<StepFailureInput, Core.Lineage.Runs.RunState>(PipelineTaskNames.RecordStepFailure, (_, input) => activities.RecordStepFailureAsync(Required(input), CancellationToken.None));
        registry.AddActivityFunc<FinalizeRunInput, FinalizeOutput>(PipelineTaskNames.FinalizeRun, (_, input) => activities.FinalizeRunAsync(Required(input), CancellationToken.None));
        return registry;
    }

    private static T Required<T>(T? input)
        where T : class =>
        input ?? throw new ArgumentNullException(nameof(input), $"The activity received no {typeof(T).Name}.");
}
