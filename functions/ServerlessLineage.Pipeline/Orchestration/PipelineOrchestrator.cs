using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>
/// The pipeline as a durable orchestration: clean -> build examples -> submit the training job -> wait for "TrainingCompleted"
/// raced against a durable timer -> record the model lineage -> finalize. Deterministic and replay-safe: time comes from the
/// context, every side effect is an activity, and every activity call retries with backoff. Any failure records the failed
/// step and the run as FAILED (with the OpenLineage FAIL events) and then fails the orchestration with the reason. Datasets
/// are content-addressed and only become part of a run through its lineage, so a failed run publishes nothing half-written.
/// </summary>
public static class PipelineOrchestrator
{
    public static async Task<PipelineOutcome> RunAsync(TaskOrchestrationContext context, PipelineRunRequest? request)
    {
        ArgumentNullException.ThrowIfNull(context);
        var logger = context.CreateReplaySafeLogger(typeof(PipelineOrchestrator));
        var rootRunId = RunIds.FromInstanceId(context.InstanceId);
        var tracker = new StatusTracker(context, rootRunId);
        if (request is null || request.Validate() is { Count: > 0 })
        {
            var why = request is null ? "no input" : string.Join(" ", request.Validate());
            throw new PipelineFailedException($"The run request is not valid: {why}");
        }

        var options = request.Retry.ToTaskOptions();
        await context.CallActivityAsync<Guid>(PipelineTaskNames.StartRun, new StartRunInput(context.InstanceId, context.CurrentUtcDateTime, request), options);
        try
        {
            tracker.Enter(PipelineStages.Cleaning);
            var cleaning = await CleanAsync(context, rootRunId, request, options, tracker);
            tracker.Figure("rowsIn", cleaning.RowsIn).Figure("rowsClean", cleaning.RowsClean).Figure("rowsQuarantined", cleaning.RowsQuarantined)
                .Figure("catalogItems", cleaning.CatalogItems);

            tracker.Enter(PipelineStages.BuildingExamples);
            var examples = await context.CallActivityAsync<ExamplesOutput>(PipelineTaskNames.BuildExamples, new BuildExamplesInput(rootRunId, cleaning), options);
            tracker.Figure("trainExamples", examples.TrainExamples).Figure("evalExamples", examples.EvalExamples);

            tracker.Enter(PipelineStages.SubmittingTraining);
            var job = await context.CallActivityAsync<TrainingJob>(
                PipelineTaskNames.SubmitTraining, new SubmitTrainingInput(rootRunId, context.InstanceId, examples.Examples, request), options);

            tracker.Enter(PipelineStages.Training, $"waiting for the GPU worker (job {job.JobId}, timeout {request.TrainingTimeout})", job.JobId);
            var result = await WaitForTrainingAsync(context, job, request.TrainingTimeout, logger);
            if (result.Outcome != TrainingOutcome.Succeeded || result.Manifest is null)
            {
                throw new PipelineFailedException($"Training job {job.JobId} failed after {result.Attempts} attempt(s): {result.Error ?? "no reason given"}");
            }

            tracker.Enter(PipelineStages.RecordingModel);
            var model = await context.CallActivityAsync<ModelOutput>(PipelineTaskNames.RecordModelLineage, new RecordModelInput(rootRunId, result.Manifest), options);
            foreach (var (name, value) in model.Metrics)
            {
                tracker.Figure(name, value);
            }

            tracker.Enter(PipelineStages.Finalizing);
            var finalize = await context.CallActivityAsync<FinalizeOutput>(
                PipelineTaskNames.FinalizeRun, new FinalizeRunInput(rootRunId, RunState.Completed, null, context.CurrentUtcDateTime), options);
            tracker.Enter(PipelineStages.Completed);
            return new PipelineOutcome
            {
                RootRunId = rootRunId,
                Cleaning = cleaning,
                Examples = examples,
                TrainingJobId = job.JobId,
                Manifest = result.Manifest,
                Model = model,
                TrainingAttempts = result.Attempts,
                StageSeconds = tracker.StageSeconds,
                Finalize = finalize,
            };
        }
        catch (Exception e) when (e is TaskFailedException or PipelineFailedException)
        {
            var stage = tracker.Stage;
            var reason = Describe(e);
            var error = $"The run failed while {StageDescription(stage)}: {reason}";
            logger.RunFailed(rootRunId, stage, reason);
            tracker.Enter(PipelineStages.Failed, error);
            if (StepJob(stage) is { } jobName)
            {
                await context.CallActivityAsync<RunState>(
                    PipelineTaskNames.RecordStepFailure, new StepFailureInput(rootRunId, jobName, reason, context.CurrentUtcDateTime), options);
            }

            await context.CallActivityAsync<FinalizeOutput>(
                PipelineTaskNames.FinalizeRun, new FinalizeRunInput(rootRunId, RunState.Failed, error, context.CurrentUtcDateTime), options);
            throw new PipelineFailedException(error, e);
        }
    }

    /// <summary>
    /// Cleaning as a fan-out/fan-in: plan the byte-range shards, clean them in parallel activities (the status counts them as they
    /// finish), merge their spools in file order. One shard for a small or compressed file.
    /// </summary>
    private static async Task<CleaningOutput> CleanAsync(
        TaskOrchestrationContext context, Guid rootRunId, PipelineRunRequest request, TaskOptions options, StatusTracker tracker)
    {
        var plan = await context.CallActivityAsync<CleaningPlanOutput>(PipelineTaskNames.PlanCleaning, new CleanEventsInput(rootRunId, request), options);
        var shards = plan.Plan.Shards;
        var header = plan.Plan with { Shards = [] };
        var pending = shards
            .Select(shard => context.CallActivityAsync<CleaningShardResult>(PipelineTaskNames.CleanShard, new CleanShardInput(rootRunId, request, header, shard), options))
            .ToList();
        tracker.Figure("cleaningShards", shards.Count).Figure("shardsCleaned", 0).Update($"cleaning {shards.Count} shard(s)");
        // Every shard is waited for, failed or not, so that no shard is still writing its spool when a failed run's
        // FinalizeRun deletes the run's work files; the first failure (in shard order) then fails the step.
        var left = new List<Task<CleaningShardResult>>(pending);
        var cleaned = 0;
        while (left.Count > 0)
        {
            var done = await Task.WhenAny(left);
            left.Remove(done);
            if (done.IsCompletedSuccessfully)
            {
                tracker.Figure("shardsCleaned", ++cleaned).Update($"cleaning {shards.Count} shard(s)");
            }
        }

        var results = new List<CleaningShardResult>(pending.Count);
        foreach (var shard in pending)
        {
            results.Add(await shard);
        }

        return await context.CallActivityAsync<CleaningOutput>(PipelineTaskNames.MergeCleaning, new MergeCleaningInput(rootRunId, request, plan, results), options);
    }

    /// <summary>
    /// Waits for the result of <paramref name="job"/>, or fails when the timer fires first. Results of other jobs (a stale or
    /// duplicated message) are ignored; a duplicate of this job's result after the first is never seen.
    /// </summary>
    private static async Task<TrainingResult> WaitForTrainingAsync(TaskOrchestrationContext context, TrainingJob job, TimeSpan timeout, ILogger logger)
    {
        using var timerCancellation = new CancellationTokenSource();
        var deadline = context.CurrentUtcDateTime + timeout;
        var timer = context.CreateTimer(deadline, timerCancellation.Token);
        while (true)
        {
            var completed = context.WaitForExternalEvent<TrainingResult>(PipelineTaskNames.TrainingCompletedEvent, timerCancellation.Token);
            var winner = await Task.WhenAny(completed, timer);
            if (winner == timer)
            {
                throw new PipelineFailedException($"No result for training job {job.JobId} within {timeout} (deadline {deadline:O}).");
            }

            var result = await completed;
            if (result is not null && string.Equals(result.JobId, job.JobId, StringComparison.Ordinal))
            {
                // Synchronous on purpose: an orchestrator must not await anything but durable tasks (CancelAsync would resume
                // on the thread pool, off the orchestration's replay thread).
#pragma warning disable CA1849
                timerCancellation.Cancel();
#pragma warning restore CA1849
                return result;
            }

            logger.StaleTrainingResult(result?.JobId, job.JobId);
        }
    }

    private static string Describe(Exception e) => e switch
    {
        // The activity's own exception message (ours say what failed and why; the inner ones are the SDK's details).
        TaskFailedException { FailureDetails: { } details } => details.ErrorMessage,
        _ => e.Message,
    };

    private static string? StepJob(string stage) => stage switch
    {
        PipelineStages.Cleaning => LineageNames.CleanEventsJob,
        PipelineStages.BuildingExamples => LineageNames.BuildExamplesJob,
        PipelineStages.SubmittingTraining or PipelineStages.Training => LineageNames.TrainModelJob,
        PipelineStages.RecordingModel => LineageNames.RecordModelLineageJob,
        _ => null,
    };

    private static string StageDescription(string stage) => stage switch
    {
        PipelineStages.Cleaning => "cleaning the events",
        PipelineStages.BuildingExamples => "building training examples",
        PipelineStages.SubmittingTraining => "submitting the training job",
        PipelineStages.Training => "training",
        PipelineStages.RecordingModel => "recording the model lineage",
        PipelineStages.Finalizing => "finalizing the run",
        _ => stage,
    };

    /// <summary>Keeps the custom status current and times the stages on the orchestration clock.</summary>
    private sealed class StatusTracker(TaskOrchestrationContext context, Guid rootRunId)
    {
        private readonly Dictionary<string, double> _figures = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double> _stageSeconds = new(StringComparer.Ordinal);
        private DateTime _stageStarted = context.CurrentUtcDateTime;
        private string? _jobId;

        public string Stage { get; private set; } = PipelineStages.Starting;

        public IReadOnlyDictionary<string, double> StageSeconds => new Dictionary<string, double>(_stageSeconds, StringComparer.Ordinal);

        public StatusTracker Figure(string name, double value)
        {
            _figures[name] = value;
            return this;
        }

        public void Enter(string stage, string? message = null, string? jobId = null)
        {
            var now = context.CurrentUtcDateTime;
            if (Stage != PipelineStages.Starting)
            {
                _stageSeconds[Stage] = (now - _stageStarted).TotalSeconds;
            }

            Stage = stage;
            _stageStarted = now;
            _jobId = jobId ?? _jobId;
            Update(message);
        }

        /// <summary>Publishes the current stage with <paramref name="message"/> and the figures so far.</summary>
        public void Update(string? message) =>
            context.SetCustomStatus(new PipelineStatus
            {
                RootRunId = rootRunId,
                Stage = Stage,
                Message = message,
                TrainingJobId = _jobId,
                Figures = new Dictionary<string, double>(_figures, StringComparer.Ordinal),
                StageSeconds = StageSeconds,
            });
    }
}
