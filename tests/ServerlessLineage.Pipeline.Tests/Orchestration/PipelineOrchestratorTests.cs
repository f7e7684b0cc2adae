using Azure.Storage.Blobs;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Pipeline.Orchestration;

namespace ServerlessLineage.Pipeline.Tests.Orchestration;

/// <summary>The orchestration's control flow in the in-process durable host (real replay, retries, timers and events).</summary>
public sealed class PipelineOrchestratorTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly FakePipelineActivities _activities = new();
    private DurableTaskTestHost _host = null!;

    private DurableTaskClient Client => _host.Client;

    public async Task InitializeAsync() =>
        _host = await DurableTaskTestHost.StartAsync(registry => registry.AddPipeline(_activities));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task HappyPath_RunsEveryStepOnceAndReturnsTheOutcome()
    {
        var instanceId = await StartAsync(Request());
        var job = await WaitForJobAsync(instanceId);
        await Client.RaiseEventAsync(instanceId, PipelineTaskNames.TrainingCompletedEvent, Succeeded(job));

        var instance = await WaitAsync(instanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        var outcome = instance.ReadOutputAs<PipelineOutcome>()!;
        Assert.Equal(RunIds.FromInstanceId(instanceId), outcome.RootRunId);
        Assert.Equal(job.JobId, outcome.TrainingJobId);
        Assert.Equal(3 * 9, outcome.Cleaning.RowsClean);
        Assert.Equal(3, outcome.Cleaning.Shards);
        Assert.Equal(40, outcome.Examples.TrainExamples);
        Assert.Equal("ranker", outcome.Model.ModelName);
        foreach (var activity in new[] { PipelineTaskNames.StartRun, PipelineTaskNames.PlanCleaning, PipelineTaskNames.MergeCleaning, PipelineTaskNames.BuildExamples, PipelineTaskNames.SubmitTraining, PipelineTaskNames.RecordModelLineage, PipelineTaskNames.FinalizeRun })
        {
            Assert.Equal(1, _activities.Calls(activity));
        }

        // Fan-out: one activity per shard, each given its own shard and the plan's file figures; fan-in: the results in shard order.
        Assert.Equal(3, _activities.Calls(PipelineTaskNames.CleanShard));
        Assert.Equal([0, 1, 2], _activities.CleanedShards.Select(s => s.Shard.Index).Order());
        Assert.All(_activities.CleanedShards, s => Assert.Equal(60, s.Plan.HeaderBytes));
        Assert.Equal([0, 1, 2], Assert.Single(_activities.Merges).Shards.Select(s => s.Index));

        Assert.Equal(0, _activities.Calls(PipelineTaskNames.RecordStepFailure));
        Assert.Equal(RunState.Completed, Assert.Single(_activities.Finalized).State);
        var status = instance.ReadCustomStatusAs<PipelineStatus>()!;
        Assert.Equal(PipelineStages.Completed, status.Stage);
        Assert.Equal(0.75, status.Figures["auc"]);
        Assert.Equal(3, status.Figures["cleaningShards"]);
        Assert.Equal(3, status.Figures["shardsCleaned"]);
        Assert.Contains(PipelineStages.Training, status.StageSeconds.Keys);
    }

    [Fact]
    public async Task CustomStatus_WhileWaitingForTraining_ShowsStageAndFigures()
    {
        var instanceId = await StartAsync(Request());
        var job = await WaitForJobAsync(instanceId);
        var status = await WaitForStageAsync(instanceId, PipelineStages.Training);
        Assert.Equal(job.JobId, status.TrainingJobId);
        Assert.Equal(30, status.Figures["rowsIn"]);
        Assert.Equal(40, status.Figures["trainExamples"]);
        await Client.TerminateInstanceAsync(instanceId);
    }

    [Fact]
    public async Task TransientActivityFailures_AreAbsorbedByRetries()
    {
        _activities.FailWith(PipelineTaskNames.CleanShard, call => call <= 2 ? new IOException($"storage hiccup {call}") : null);
        _activities.FailWith(PipelineTaskNames.RecordModelLineage, call => call == 1 ? new TimeoutException("table timeout") : null);
        var instanceId = await StartAsync(Request());
        var job = await WaitForJobAsync(instanceId);
        await Client.RaiseEventAsync(instanceId, PipelineTaskNames.TrainingCompletedEvent, Succeeded(job));

        var instance = await WaitAsync(instanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(3 + 2, _activities.Calls(PipelineTaskNames.CleanShard));
        Assert.Equal(3, Assert.Single(_activities.Merges).Shards.Count);
        Assert.Equal(2, _activities.Calls(PipelineTaskNames.RecordModelLineage));
        Assert.Empty(_activities.StepFailures);
    }

    [Fact]
    public async Task PersistentTransientFailure_FailsAfterMaxAttempts_AndRecordsTheStep()
    {
        _activities.FailWith(PipelineTaskNames.BuildExamples, call => new IOException($"disk full ({call})"));
        var instanceId = await StartAsync(Request());

        var instance = await WaitAsync(instanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Equal(3, _activities.Calls(PipelineTaskNames.BuildExamples));
        var failure = Assert.Single(_activities.StepFailures);
        Assert.Equal(LineageNames.BuildExamplesJob, failure.JobName);
        Assert.Contains("disk full (3)", failure.Error, StringComparison.Ordinal);
        var finalized = Assert.Single(_activities.Finalized);
        Assert.Equal(RunState.Failed, finalized.State);
        Assert.Contains("building training examples", finalized.Error, StringComparison.Ordinal);
        Assert.Contains("disk full", instance.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, _activities.Calls(PipelineTaskNames.SubmitTraining));
    }

    [Fact]
    public async Task DataContractViolation_IsNotRetried_AndFailsTheRunAtCleaning()
    {
        _activities.FailWith(PipelineTaskNames.PlanCleaning, _ => new DataContractException("events.csv: missing required column 'event_type'."));
        var instanceId = await StartAsync(Request());

        var instance = await WaitAsync(instanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Equal(1, _activities.Calls(PipelineTaskNames.PlanCleaning));
        Assert.Equal(0, _activities.Calls(PipelineTaskNames.CleanShard));
        Assert.Equal(LineageNames.CleanEventsJob, Assert.Single(_activities.StepFailures).JobName);
        Assert.Contains("missing required column", Assert.Single(_activities.Finalized).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainingTimeout_FailsTheRunCleanly()
    {
        var instanceId = await StartAsync(Request() with { TrainingTimeout = TimeSpan.FromSeconds(2) });

        var instance = await WaitAsync(instanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        var failure = Assert.Single(_activities.StepFailures);
        Assert.Equal(LineageNames.TrainModelJob, failure.JobName);
        Assert.Contains("No result for training job", failure.Error, StringComparison.Ordinal);
        Assert.Equal(RunState.Failed, Assert.Single(_activities.Finalized).State);
        Assert.Equal(0, _activities.Calls(PipelineTaskNames.RecordModelLineage));
        Assert.Equal(PipelineStages.Failed, instance.ReadCustomStatusAs<PipelineStatus>()!.Stage);
    }

    [Fact]
    public async Task GpuFailureResult_FailsTheRunWithTheWorkersReason()
    {
        var instanceId = await StartAsync(Request());
        var job = await WaitForJobAsync(instanceId);
        await Client.RaiseEventAsync(instanceId, PipelineTaskNames.TrainingCompletedEvent, new TrainingResult
        {
            JobId = job.JobId,
            RootRunId = job.RootRunId,
            InstanceId = instanceId,
            Outcome = TrainingOutcome.Failed,
            Error = "CUDA out of memory",
            Attempts = 3,
        });

        var instance = await WaitAsync(instanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Contains("CUDA out of memory", instance.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("3 attempt(s)", Assert.Single(_activities.StepFailures).Error, StringComparison.Ordinal);
        Assert.Equal(0, _activities.Calls(PipelineTaskNames.RecordModelLineage));
    }

    [Fact]
    public async Task ResultOfAnotherJob_IsIgnored_AndTheRunWaitsForItsOwn()
    {
        var instanceId = await StartAsync(Request());
        var job = await WaitForJobAsync(instanceId);
        await Client.RaiseEventAsync(instanceId, PipelineTaskNames.TrainingCompletedEvent, Succeeded(job) with { JobId = "someone-else" });
        await Client.RaiseEventAsync(instanceId, PipelineTaskNames.TrainingCompletedEvent, Succeeded(job));

        var instance = await WaitAsync(instanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(job.JobId, instance.ReadOutputAs<PipelineOutcome>()!.TrainingJobId);
    }

    [Fact]
    public async Task DuplicateStart_ForTheSameBlobVersion_StartsOneRun()
    {
        var starter = new RunStarter(Client, new BlobServiceClient("UseDevelopmentStorage=true"), new PipelineOptions());
        var events = new BlobVersion("raw-events", "shop/events.csv", "\"0x8DC1\"");
        var catalog = new BlobVersion("catalog", "catalog.csv", "\"0x8DC0\"");

        var first = await starter.StartAsync(events, catalog, new RunSettings { TrainingTimeout = TimeSpan.FromMinutes(5) });
        var again = await starter.StartAsync(events with { ETag = "W/\"0x8DC1\"" }, catalog);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => starter.StartAsync(events, catalog)));
        var newVersion = await starter.StartAsync(events with { ETag = "\"0x8DC2\"" }, catalog);

        Assert.False(first.AlreadyExisted);
        Assert.True(again.AlreadyExisted);
        Assert.All(concurrent, start => Assert.True(start.AlreadyExisted));
        Assert.All(concurrent.Append(again), start => Assert.Equal(first.InstanceId, start.InstanceId));
        Assert.NotEqual(first.InstanceId, newVersion.InstanceId);
        Assert.False(newVersion.AlreadyExisted);
        await WaitForJobAsync(first.InstanceId);
        await WaitForJobAsync(newVersion.InstanceId);
        Assert.Equal(2, _activities.Calls(PipelineTaskNames.StartRun));
        Assert.Equal(2, _activities.SubmittedJobs.Count);
    }

    [Fact]
    public async Task InvalidRequest_FailsWithoutRunningActivities()
    {
        var instanceId = await StartAsync(Request() with { ModelConfiguration = "huge" });

        var instance = await WaitAsync(instanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Contains("modelConfiguration", instance.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, _activities.Calls(PipelineTaskNames.PlanCleaning));
    }

    [Fact]
    public async Task FailedShard_FailsTheRunAtCleaning_WithoutMerging()
    {
        _activities.FailWith(PipelineTaskNames.CleanShard, call => call == 2 ? new InvalidDataException("shard 1: spool upload corrupt") : null);
        var instanceId = await StartAsync(Request());

        var instance = await WaitAsync(instanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Equal(0, _activities.Calls(PipelineTaskNames.MergeCleaning));
        Assert.Equal(3, _activities.Calls(PipelineTaskNames.CleanShard)); // not retried: a permanent error
        Assert.Equal(2, _activities.CleanedShards.Count);
        Assert.Equal(LineageNames.CleanEventsJob, Assert.Single(_activities.StepFailures).JobName);
        var finalized = Assert.Single(_activities.Finalized);
        Assert.Equal(RunState.Failed, finalized.State);
        Assert.Contains("cleaning the events", finalized.Error, StringComparison.Ordinal);
        Assert.Contains("spool upload corrupt", finalized.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResultRelay_RaisesOnWaitingRuns_AndIgnoresFinishedOnes()
    {
        var relay = new ResultRelay(Client);
        var instanceId = await StartAsync(Request());
        var job = await WaitForJobAsync(instanceId);
        var message = JobMessages.Serialize(Succeeded(job));

        Assert.Equal(RelayOutcome.Raised, await relay.RelayAsync(message));
        await WaitAsync(instanceId);
        Assert.Equal(RelayOutcome.IgnoredFinished, await relay.RelayAsync(message));
        Assert.Equal(RelayOutcome.IgnoredUnknown, await relay.RelayAsync(JobMessages.Serialize(Succeeded(job) with { InstanceId = "raw-events-nobody" })));
        Assert.Throws<JobMessageException>(() => relay.RelayAsync("{\"jobId\":1}").GetAwaiter().GetResult());
    }

    private static PipelineRunRequest Request() => new()
    {
        Events = new BlobVersion("raw-events", "events.csv", "\"0x1\""),
        Catalog = new BlobVersion("catalog", "catalog.csv", "\"0x2\""),
        RequestedAt = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero),
        TrainingTimeout = TimeSpan.FromMinutes(5),
        Retry = new ActivityRetry { MaxAttempts = 3, FirstInterval = TimeSpan.FromMilliseconds(100), MaxInterval = TimeSpan.FromMilliseconds(200) },
    };

    private static TrainingResult Succeeded(TrainingJob job) => new()
    {
        JobId = job.JobId,
        RootRunId = job.RootRunId,
        InstanceId = job.InstanceId,
        Outcome = TrainingOutcome.Succeeded,
        Manifest = FakePipelineActivities.Dataset("manifest", 7),
        FinishedAt = new DateTimeOffset(2026, 11, 28, 13, 0, 0, TimeSpan.Zero),
    };

    private async Task<string> StartAsync(PipelineRunRequest request) =>
        await Client.ScheduleNewOrchestrationInstanceAsync(PipelineTaskNames.Orchestrator, request, new StartOrchestrationOptions($"raw-events-{Guid.NewGuid():N}"));

    private async Task<OrchestrationMetadata> WaitAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    private async Task<TrainingJob> WaitForJobAsync(string instanceId)
    {
        await WaitForStageAsync(instanceId, PipelineStages.Training);
        return _activities.SubmittedJobs.Single(j => j.InstanceId == instanceId);
    }

    private async Task<PipelineStatus> WaitForStageAsync(string instanceId, string stage)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var instance = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            if (instance?.ReadCustomStatusAs<PipelineStatus>() is { } status && status.Stage == stage)
            {
                return status;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{instanceId} did not reach stage {stage}.");
    }
}
